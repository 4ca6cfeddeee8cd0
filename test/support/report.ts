/** A report object for tests of the renderers: every section empty unless the test says. */
import type { CheckResult } from '../../src/core/check-result.ts';
import type { Report } from '../../src/report/json.ts';

export function reportOf(checks: CheckResult[], over: Partial<Report> = {}): Report {
  return {
    schema_version: 1,
    tool: { name: 'model-gate', version: '0.1.0' },
    decision: 'DELAY',
    reason: 'warnings failed',
    headline: `${checks.length} checks, some warned — DELAY`,
    summary: { total: checks.length, passed: 0, warned: 0, failed: checks.length, errored: 0, skipped: 0 },
    version: { id: 'v_2026-11-22T00:00:00_abcdef12', sha256: 'ab'.repeat(32) } as Report['version'],
    model: { path: 'models/m.onnx', runner: 'onnx', size_bytes: 1, sha256: 'ab'.repeat(32), format: null, signature: null },
    data: { eval: null, label: null, reference: null, rows_evaluated: 0, source: null },
    config: { path: null, sha256: null, fail_on: 'no-go' },
    checks,
    latency: [],
    error_scenarios: [],
    metrics: null,
    comparison: null,
    latency_comparison: null,
    load: null,
    drift: null,
    promotion: { stages: [5, 25, 50, 100], bake_minutes: 30 },
    started_at: '2026-11-22T00:00:00.000Z',
    duration_ms: 1,
    ...over,
  };
}
