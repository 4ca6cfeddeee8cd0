import { describe, expect, it } from 'vitest';
import { throttledProgress, type CheckContext } from '../../src/checks/context.ts';
import { progressWriter } from '../../src/progress-writer.ts';

describe('throttledProgress', () => {
  it('reports long passes at most every interval, with rate and ETA, and the finished state once', () => {
    let now = 0;
    const lines: string[] = [];
    const ctx = { clock: { now: () => now, date: () => new Date(0) }, progress: (m: string) => lines.push(m) } as unknown as CheckContext;
    const report = throttledProgress(ctx, 'outputs', 2000);
    for (const [t, done] of [[500, 1024], [2100, 2048], [3000, 3072], [4200, 4096], [9000, 5000]] as const) {
      now = t;
      report(done, 5000);
    }
    report(5000, 5000);
    expect(lines).toEqual([
      'outputs: 2,048 / 5,000 rows (40%), 975 rows/s, about 3 s left',
      'outputs: 4,096 / 5,000 rows (81%), 975 rows/s, about 1 s left',
      'outputs: 5,000 / 5,000 rows, done in 9 s',
    ]);
  });

  it('stays silent on a pass too short to report', () => {
    let now = 0;
    const lines: string[] = [];
    const report = throttledProgress({ clock: { now: () => now, date: () => new Date(0) }, progress: (m: string) => lines.push(m) }, 'drift', 2000);
    now = 100;
    report(10, 20);
    now = 200;
    report(20, 20);
    expect(lines).toEqual([]);
  });
});

describe('progressWriter', () => {
  const run = (tty: boolean, messages: string[]) => {
    let out = '';
    const write = progressWriter((t) => (out += t), (c) => (out += c), tty);
    for (const m of messages) write(m);
    return out;
  };
  const messages = ['reading eval.csv', 'predicting: 1,000 / 3,000 rows (33%), 500 rows/s, about 4 s left', 'predicting: 2,000 / 3,000 rows (66%), 500 rows/s, about 2 s left', 'predicting: 3,000 / 3,000 rows, done in 6 s', 'comparison: bootstrap: 10 / 100 resamples (10%), 5 resamples/s, about 18 s left', 'latency: batch 1'];

  it('redraws one line in place on a terminal, and ends it when the pass ends or another message comes', () => {
    expect(run(true, messages)).toBe(
      '› reading eval.csv\n' +
        '\r› predicting: 1,000 / 3,000 rows (33%), 500 rows/s, about 4 s left\x1b[K' +
        '\r› predicting: 2,000 / 3,000 rows (66%), 500 rows/s, about 2 s left\x1b[K' +
        '\r› predicting: 3,000 / 3,000 rows, done in 6 s\x1b[K\n' +
        '\r› comparison: bootstrap: 10 / 100 resamples (10%), 5 resamples/s, about 18 s left\x1b[K' +
        '\n› latency: batch 1\n',
    );
  });

  it('writes plain lines when not a terminal (CI logs)', () => {
    expect(run(false, messages)).toBe(messages.map((m) => `› ${m}\n`).join(''));
  });
});
