import { describe, expect, it } from 'vitest';
import { throttledProgress, type CheckContext } from '../../src/checks/context.ts';

describe('throttledProgress', () => {
  it('reports long passes at most every interval, and not the finished state', () => {
    let now = 0;
    const lines: string[] = [];
    const ctx = { clock: { now: () => now, date: () => new Date(0) }, progress: (m: string) => lines.push(m) } as unknown as CheckContext;
    const report = throttledProgress(ctx, 'outputs', 2000);
    for (const [t, done] of [[500, 1024], [2100, 2048], [3000, 3072], [4200, 4096], [9000, 5000]] as const) {
      now = t;
      report(done, 5000);
    }
    expect(lines).toEqual(['outputs: 2,048 / 5,000 rows', 'outputs: 4,096 / 5,000 rows']);
  });
});
