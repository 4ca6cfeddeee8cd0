/** Artifact: the file exists and is readable, its size and sha256, the pin, the ONNX format. */
import type { GateConfig } from '../config/types.ts';
import type { OnnxFormat } from '../runners/onnx-format.ts';
import { result, type CheckResult } from './types.ts';

export interface ArtifactFacts {
  path: string;
  /** Why the file could not be read; null when it was. */
  readError: string | null;
  size_bytes: number;
  sha256: string;
  format: OnnxFormat | null;
  /** Why the bytes are not an ONNX model; null when they are. */
  formatError: string | null;
}

const CATEGORY = 'artifact';

export function judgeArtifact(facts: ArtifactFacts, config: GateConfig): CheckResult[] {
  const cfg = config.checks.artifact;
  if (!cfg.enabled) return [];
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
      message: `${facts.path}: ${formatBytes(facts.size_bytes)}, sha256 ${facts.sha256}`,
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
  const pinned = config.model.sha256?.toLowerCase();
  if (pinned) {
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
          ? 'sha256 matches the pinned value'
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
        value: Number(mb.toFixed(3)),
        threshold: `<= ${cfg.max_size_mb} MiB`,
        message: `${formatBytes(facts.size_bytes)}${ok ? '' : `, over the ${cfg.max_size_mb} MiB limit`}`,
      }),
    );
  }
  return checks;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 2 ** 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 2 ** 30) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${(n / 2 ** 30).toFixed(2)} GiB`;
}
