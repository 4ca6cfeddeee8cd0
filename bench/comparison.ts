/**
 * npm run bench, section 8: the baseline comparison at a million rows.
 *   a. compareMetrics on 1,000,000 labelled binary rows (accuracy, F1, ROC AUC, log loss, Brier),
 *      in process, against the row bootstrap it replaced (timed on a few resamples, scaled to
 *      comparison.resamples): seconds instead of hours;
 *   b. `model-gate validate` with a baseline on 1,000,000 rows × 30 features (CSV) against a bare
 *      reference measured in the same run (readFileSync + split + Number, then both models'
 *      inference with onnxruntime-node in batches): target ≤ 1.5×.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareMetrics } from '../src/checks/compare.ts';
import { metricsFunction, type Evaluation } from '../src/checks/evaluation.ts';
import { defaultConfig } from '../src/config/load.ts';
import type { MetricName } from '../src/config/types.ts';
import { pairedBootstrap } from '../src/stats/bootstrap.ts';
import { uniformSource } from '../src/stats/random.ts';
import { mlp } from '../test/support/onnx-builder.ts';

export interface BenchRow {
  [k: string]: string | number;
}

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

/** Two equally good binary models' probabilities on n labelled rows. */
function binaryPair(n: number): [Evaluation, Evaluation] {
  const r = uniformSource(3);
  const gauss = () => r() + r() + r() + r() - 2;
  const y = new Int32Array(n);
  const make = () => ({ proba: new Float64Array(2 * n), pred: new Int32Array(n) });
  const [a, b] = [make(), make()];
  for (let i = 0; i < n; i++) {
    const s = 2 * gauss();
    y[i] = r() < 1 / (1 + Math.exp(-s)) ? 1 : 0;
    for (const m of [a, b]) {
      const p = 1 / (1 + Math.exp(-(s + 0.7 * gauss())));
      m.proba[2 * i] = 1 - p;
      m.proba[2 * i + 1] = p;
      m.pred[i] = p > 0.5 ? 1 : 0;
    }
  }
  const ev = (m: typeof a): Evaluation => ({
    task: 'binary',
    view: { task: 'binary', classes: [0, 1], proba: m.proba, pred: m.pred, score: null, outputs: 'p' },
    data: { k: 2, y, pred: m.pred, proba: m.proba },
    weights: null,
  });
  return [ev(a), ev(b)];
}

export async function benchComparison(o: { work: string; node: string; bigCsv: string; bigModel: string; rows: number; features: number }): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // a. In process.
  const n = o.rows;
  const [cand, base] = binaryPair(n);
  const config = defaultConfig();
  config.metrics.thresholds = { f1_macro: { max_regression: 0.01 }, roc_auc: { max_regression: 0.01 }, log_loss: { max_regression_relative: 0.01 }, brier: { max_regression_relative: 0.01 } };
  const t0 = process.hrtime.bigint();
  const report = compareMetrics(cand, base, config);
  const ours = seconds(t0);
  const names = report.metrics.map((m) => m.metric as MetricName);
  const fc = metricsFunction(cand, names, 15);
  const fb = metricsFunction(base, names, 15);
  const few = 5;
  const t1 = process.hrtime.bigint();
  pairedBootstrap(
    n,
    (w) => {
      const b = fb(w);
      return fc(w).map((v, i) => (v === null || b[i] === null ? null : v - b[i]!));
    },
    { resamples: few, level: 0.95, seed: 1 },
  );
  const rowBoot = (seconds(t1) / few) * config.comparison.resamples;
  rows.push({
    measure: `comparison, ${n.toLocaleString('en')} rows (${names.join(', ')})`,
    'model-gate': `${ours.toFixed(2)} s (${[...new Set(report.metrics.map((m) => m.method))].join(', ')})`,
    reference: `${Math.round(rowBoot).toLocaleString('en')} s (row bootstrap, ${config.comparison.resamples.toLocaleString('en')} resamples, scaled from ${few})`,
    ratio: (ours / rowBoot).toExponential(1),
    target: '<= 10 s',
    met: ours <= 10 ? 'yes' : 'NO',
  });

  // b. validate with a baseline, whole process, against a bare reference in the same run.
  const baseline = join(o.work, 'mlp-30-baseline.onnx');
  writeFileSync(baseline, mlp([o.features, 32, 1], 2));
  const cfg = join(o.work, 'compare.yml');
  writeFileSync(cfg, 'metrics: { task: regression }\nchecks:\n  latency: { iterations: 20, warmup: 2 }\n  errors: { enabled: false }\ncomparison:\n  latency: { enabled: false }\n');
  const out = join(o.work, 'out-compare');
  const t2 = process.hrtime.bigint();
  const run = spawnSync(o.node, ['dist/cli.js', 'validate', '--model', o.bigModel, '--baseline', baseline, '--data', o.bigCsv, '--label', 'y', '--config', cfg, '--out', out], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const validate = seconds(t2);
  const t3 = process.hrtime.bigint();
  const ref = spawnSync(o.node, ['--experimental-strip-types', 'bench/comparison_reference.ts', o.bigCsv, o.bigModel, baseline], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const reference = seconds(t3);
  const ratio = validate / reference;
  rows.push({
    measure: `validate with a baseline, ${n.toLocaleString('en')} rows × ${o.features} features (CSV)`,
    'model-gate': `${validate.toFixed(1)} s (exit ${run.status})`,
    reference: ref.status === 0 ? `${reference.toFixed(1)} s (CSV split + Number, both models' inference)` : `exit ${ref.status}: ${ref.stderr.slice(-200)}`,
    ratio: ratio.toFixed(2),
    target: '<= 1.50',
    met: ref.status === 0 && run.status !== 2 && ratio <= 1.5 ? 'yes' : 'NO',
  });
  return rows;
}
