/**
 * Monitor test data: a binary classifier's world where P(label | x) is fixed and the model's
 * score over-confident; the reference (labelled, scored), and production windows: healthy (the
 * same distribution) or degraded (rows crowding the decision boundary, so accuracy falls).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { uniformSource } from '../../src/stats/random.ts';

const W = [1.5, -1.0, 0.8];

export interface Rows {
  x: number[][];
  score: number[];
  label: number[];
}

export function draw(seed: number, n: number, kind: 'healthy' | 'degraded'): Rows {
  const u = uniformSource(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const rows: Rows = { x: [], score: [], label: [] };
  for (let i = 0; i < n; i++) {
    let x = W.map(() => normal());
    if (kind === 'degraded') {
      // Project onto the boundary region: keep x's direction orthogonal to w, squeeze along w.
      const dot = x.reduce((s, v, j) => s + v * W[j]!, 0);
      const ww = W.reduce((s, v) => s + v * v, 0);
      x = x.map((v, j) => v - ((dot - 0.3) * W[j]!) / ww + (0.25 * W[j]! * (u() - 0.5)) / Math.sqrt(ww));
    }
    const logit = x.reduce((s, v, j) => s + v * W[j]!, 0) - 0.3;
    rows.x.push(x);
    rows.label.push(u() < 1 / (1 + Math.exp(-logit)) ? 1 : 0);
    rows.score.push(1 / (1 + Math.exp(-2 * logit)));
  }
  return rows;
}

const f = (v: number) => v.toFixed(6);

/** Writes reference.csv, window-<name>.csv and labels-<name>.csv into dir; returns their paths. */
export function writeMonitorData(dir: string): { reference: string; healthy: string; degraded: string; labels: string } {
  mkdirSync(dir, { recursive: true });
  const ref = draw(1, 2000, 'healthy');
  writeFileSync(join(dir, 'reference.csv'), `id,x1,x2,x3,score,label\n${ref.x.map((x, i) => `r${i},${x.map(f).join(',')},${f(ref.score[i]!)},${ref.label[i]}`).join('\n')}\n`);
  const window = (name: string, rows: Rows) => {
    writeFileSync(join(dir, `window-${name}.csv`), `id,x1,x2,x3,score\n${rows.x.map((x, i) => `${name}${i},${x.map(f).join(',')},${f(rows.score[i]!)}`).join('\n')}\n`);
    return join(dir, `window-${name}.csv`);
  };
  const healthy = draw(2, 800, 'healthy');
  const degraded = draw(3, 800, 'degraded');
  writeFileSync(join(dir, 'labels-degraded.csv'), `id,label\n${degraded.label.map((l, i) => `degraded${i},${l}`).join('\n')}\n`);
  return { reference: join(dir, 'reference.csv'), healthy: window('healthy', healthy), degraded: window('degraded', degraded), labels: join(dir, 'labels-degraded.csv') };
}

export const MONITOR_CONFIG = `version: 1
data:
  id: id
  label: label
metrics:
  thresholds:
    accuracy: {min: 0.6}
monitor:
  id: fraud-model
  score: score
`;
