/**
 * The promotion's record of what was deployed, as the promotion needs it: one record per stage of
 * a version in its environment. Defined here, beside the feature that needs it, and implemented by
 * the GitHub adapter (github/deployments.ts) as GitHub deployments; tests pass their own.
 */
/** payload.stage of a rollback drill's record (src/promotion/drill.ts): traffic was left on stable. */
export const DRILL_STAGE = 'drill';

export interface StagePayload {
  version: string;
  stage: string;
  weight: number;
  model: string;
  /** The last judgement, in words. */
  judgement?: string;
}

export interface RecordedStage {
  id: number;
  environment: string;
  payload: StagePayload;
  state: string | null;
  description: string | null;
  created_at: string;
  log_url: string | null;
}

export interface DeploymentRecords {
  start(environment: string, ref: string, payload: StagePayload, logUrl: string | null): Promise<number>;
  status(id: number, state: 'in_progress' | 'success' | 'failure' | 'inactive' | 'error', description: string, logUrl: string | null): Promise<void>;
  /** This environment's model-gate deployments, newest first, with their latest status. */
  list(environment: string, limit?: number): Promise<RecordedStage[]>;
}
