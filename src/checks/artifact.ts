/**
 * Artifact: the file exists and is readable, its size and sha256, its external data (inside the
 * model's directory, within its files, hashed with the graph), the pin, the ONNX format.
 */
import { dirname, relative } from 'node:path';
import type { GateConfig } from '../config/types.ts';
import type { ExternalDataProblem, ModelFiles } from '../runners/model-files.ts';
import { result, skipped, type CheckResult } from '../core/check-result.ts';
import { formatBytes, round } from '../core/format.ts';

/** What was read of the model's files (src/runners/model-files.ts). */
export type ArtifactFacts = ModelFiles;

const CATEGORY = 'artifact';

export function judgeArtifact(facts: ArtifactFacts, config: GateConfig): CheckResult[] {
  const cfg = config.checks.artifact;
  // Turning the family off never lets a model reach outside its directory: the refusal stays, a blocker.
  if (!cfg.enabled) return facts.external?.problems.length ? [externalDataCheck(facts, 'blocker')] : [];
  const severity = cfg.severity;
  if (facts.readError !== null) {
    return [
      result({
        id: 'artifact.readable',
        category: CATEGORY,
        severity,
        status: 'fail',
        message: `cannot read model ${facts.path}: ${facts.readError}`,
      }),
    ];
  }
  const checks: CheckResult[] = [
    result({
      id: 'artifact.readable',
      category: CATEGORY,
      severity,
      status: 'pass',
      value: facts.size_bytes,
      message: readableMessage(facts),
    }),
  ];
  checks.push(
    facts.format
      ? result({
          id: 'artifact.format',
          category: CATEGORY,
          severity,
          status: 'pass',
          value: `IR ${facts.format.ir_version}`,
          message: `ONNX IR version ${facts.format.ir_version}, opset ${facts.format.opsets.map((o) => `${o.domain} ${o.version}`).join(', ') || 'none declared'}${facts.format.producer ? `, produced by ${facts.format.producer}` : ''}`,
        })
      : result({
          id: 'artifact.format',
          category: CATEGORY,
          severity,
          status: 'fail',
          message: `${facts.path} is not a readable ONNX model (${facts.formatError}); is the file truncated, or a Git LFS pointer?`,
        }),
  );
  if (facts.external) checks.push(externalDataCheck(facts, severity));
  const pinned = config.model.sha256?.toLowerCase();
  if (pinned && !facts.sha256) {
    checks.push(
      result({
        id: 'artifact.sha256_pin',
        category: CATEGORY,
        severity,
        status: 'fail',
        threshold: `== ${pinned}`,
        message: "cannot verify the pinned sha256: the model's external data is not usable (see artifact.external_data)",
      }),
    );
  } else if (pinned) {
    const ok = pinned === facts.sha256;
    checks.push(
      result({
        id: 'artifact.sha256_pin',
        category: CATEGORY,
        severity,
        status: ok ? 'pass' : 'fail',
        value: facts.sha256,
        threshold: `== ${pinned}`,
        message: ok
          ? `sha256 matches the pinned value${facts.files.length > 1 ? ` (graph and external data: ${facts.files.length} files)` : ''}`
          : `sha256 ${facts.sha256} differs from the pinned ${pinned}: this is not the model the config pins`,
      }),
    );
  }
  if (cfg.max_size_mb !== null) {
    const mb = facts.size_bytes / 2 ** 20;
    const ok = mb <= cfg.max_size_mb;
    checks.push(
      result({
        id: 'artifact.size',
        category: CATEGORY,
        severity,
        status: ok ? 'pass' : 'fail',
        value: round(mb, 3),
        threshold: `<= ${cfg.max_size_mb} MiB`,
        message: `${formatBytes(facts.size_bytes)}${ok ? '' : `, over the ${cfg.max_size_mb} MiB limit`}`,
      }),
    );
  }
  return checks;
}

function readableMessage(facts: ArtifactFacts): string {
  const external = facts.files.slice(1);
  if (facts.external && !facts.sha256) return `${facts.path}: ${formatBytes(facts.size_bytes)}; no sha256: its external data is not usable (see artifact.external_data)`;
  if (external.length === 0) return `${facts.path}: ${formatBytes(facts.size_bytes)}, sha256 ${facts.sha256}`;
  return (
    `${facts.path} + ${external.length} external data file${external.length === 1 ? '' : 's'} (${listSome(external.map((f) => relative(dirname(facts.path), f.path)))}): ` +
    `${formatBytes(facts.size_bytes)} in all, sha256 ${facts.sha256} over the graph file and its external data in that order`
  );
}

/** Where the tensors stored outside the graph file live; a failure means onnxruntime was never given the model. */
function externalDataCheck(facts: ArtifactFacts, severity: CheckResult['severity']): CheckResult {
  const external = facts.external!;
  const files = facts.files.length - 1;
  if (external.problems.length === 0) {
    return result({
      id: 'artifact.external_data',
      category: CATEGORY,
      severity,
      status: 'pass',
      value: files,
      message: `${external.tensors} tensor${external.tensors === 1 ? '' : 's'} stored in ${files} file${files === 1 ? '' : 's'} beside the model, inside its directory and within each file; hashed with the graph`,
    });
  }
  return result({
    id: 'artifact.external_data',
    category: CATEGORY,
    severity,
    status: 'fail',
    value: external.problems.length,
    threshold: "every location inside the model's directory, every file present and long enough",
    message: `${facts.path}: ${externalDataProblems(facts)}. The model was not loaded.`,
  });
}

/** The first problems with a model's external data, in one line. */
/** A served model with no file given: nothing to hash or parse; the server's metadata makes the version. */
export function judgeNoArtifact(target: string): CheckResult[] {
  return [skipped('artifact.readable', 'artifact', 'info', `no model file given: the model is served by ${target}`)];
}

export function externalDataProblems(facts: ArtifactFacts): string {
  const problems = facts.external?.problems ?? [];
  const shown = problems.slice(0, 3).map(describeProblem);
  const more = problems.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

function describeProblem(p: ExternalDataProblem): string {
  const tensors = p.tensors.length === 0 ? '' : `tensor${p.tensors.length === 1 ? '' : 's'} ${listSome(p.tensors.map((t) => `"${t}"`))}`;
  const location = p.location === null ? '' : `location "${p.location}"`;
  const subject = [tensors, location].filter(Boolean).join(', ');
  return subject ? `${subject}: ${p.problem}` : p.problem;
}

/** The first three, then how many more. */
const listSome = (items: string[]) => `${items.slice(0, 3).join(', ')}${items.length > 3 ? ` and ${items.length - 3} more` : ''}`;
