/**
 * Monitor test data: a binary classifier's world where P(label | x) is fixed and the model's
 * score over-confident; the reference (labelled, scored), and production windows: healthy (the
 * same distribution) or degraded (rows crowding the decision boundary, so accuracy falls); and the
 * same for a three-class model (softmax probabilities twice as sharp as the world's).
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

const MW = [
  [1.2, -0.6, 0.0],
  [-0.4, 1.0, -0.7],
  [-0.8, -0.4, 0.9],
];
const MB = [0.2, 0.0, -0.1];
const softmax = (z: number[]) => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

/** Three classes with P(y | x) fixed; the model's probabilities twice as sharp (over-confident). */
export function multiclassWorld(seed: number) {
  const u = uniformSource(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const row = (x: number[], out: { proba: number[][]; pred: number[]; label: number[] }) => {
    const logits = MW.map((w, c) => w.reduce((s, wj, j) => s + wj * x[j]!, MB[c]!));
    const truth = softmax(logits);
    const r = u();
    out.label.push(r < truth[0]! ? 0 : r < truth[0]! + truth[1]! ? 1 : 2);
    const p = softmax(logits.map((l) => 2 * l));
    p.forEach((v, c) => out.proba[c]!.push(v));
    out.pred.push(p.indexOf(Math.max(...p)));
  };
  return {
    /** x ~ N(shift, I). */
    shifted(n: number, shift: number[]) {
      const out = { proba: [[], [], []] as number[][], pred: [] as number[], label: [] as number[] };
      for (let i = 0; i < n; i++) row(shift.map((s) => s + normal()), out);
      return out;
    },
    /** x near where the three classes' logits meet: hard rows. */
    crowded(n: number) {
      const out = { proba: [[], [], []] as number[][], pred: [] as number[], label: [] as number[] };
      for (let i = 0; i < n; i++) row([0.05, 0.15, 0.1].map((s) => s + 0.25 * normal()), out);
      return out;
    },
  };
}


const CLASSES = ['setosa', 'versicolor', 'virginica'];

/** A multiclass reference and windows (healthy; crowded where the classes meet) as CSV, class names as labels. */
export function writeMulticlassData(dir: string): { reference: string; healthy: string; degraded: string; labels: string } {
  mkdirSync(dir, { recursive: true });
  const w = multiclassWorld(21);
  const write = (name: string, rows: ReturnType<typeof w.shifted>, withLabel: boolean) => {
    const head = `id,${CLASSES.map((c) => `p_${c}`).join(',')}${withLabel ? ',species' : ''}`;
    const body = rows.pred.map((_, i) => `${name}${i},${rows.proba.map((p) => f(p[i]!)).join(',')}${withLabel ? `,${CLASSES[rows.label[i]!]}` : ''}`);
    writeFileSync(join(dir, `${name}.csv`), `${head}\n${body.join('\n')}\n`);
    return join(dir, `${name}.csv`);
  };
  const reference = write('reference', w.shifted(3000, [0, 0, 0]), true);
  const healthy = write('healthy', w.shifted(800, [0, 0, 0]), false);
  const hard = w.crowded(800);
  const degraded = write('degraded', hard, false);
  writeFileSync(join(dir, 'labels-degraded.csv'), `id,species\n${hard.label.map((l, i) => `degraded${i},${CLASSES[l]}`).join('\n')}\n`);
  return { reference, healthy, degraded, labels: join(dir, 'labels-degraded.csv') };
}

export const MULTICLASS_CONFIG = `version: 1
data:
  id: id
  label: species
metrics:
  thresholds:
    accuracy: {min: 0.55}
monitor:
  id: iris-model
  scores: {setosa: p_setosa, versicolor: p_versicolor, virginica: p_virginica}
`;
