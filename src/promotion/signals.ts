/**
 * A promotion killed mid-stage must leave traffic on stable: on SIGINT / SIGTERM (the runner's
 * cancellation) the pending rollback runs, bounded to fit the runner's grace period, then exit.
 */
import { getErrorMessage } from '../errors.ts';
import type { PendingRollback } from './command.ts';
import { runCommand } from './traffic.ts';

/** GitHub's runner waits 7.5 s between SIGINT and SIGTERM, and as long again before it kills. */
const GRACE_S = 6;

export function rollbackOnSignals(pending: () => PendingRollback | null, log: (line: string) => void, after: (ok: boolean) => Promise<void> = async () => undefined): () => void {
  let busy = false;
  const handler = (signal: NodeJS.Signals) => {
    if (busy) return;
    busy = true;
    const undo = pending();
    if (!undo) process.exit(130);
    log(`${signal}: the stage was interrupted; rolling back`);
    runCommand(undo.command, Math.min(undo.timeout_seconds, GRACE_S), log)
      .then(
        () => after(true),
        (error: unknown) => {
          log(`rollback failed: ${getErrorMessage(error)}`);
          return after(false);
        },
      )
      .finally(() => process.exit(130));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
