/**
 * The paired permutation (swap) test: under "the two models are exchangeable", each row's pair
 * of predictions could have come in either order, so swapping them on a random subset of rows
 * gives a draw from the null distribution of any paired statistic. Exact in level at every n
 * (up to Monte-Carlo error), which the bootstrap is not on a few dozen rows. Seeded.
 *
 * p-values count the observed arrangement itself ((1 + hits) / (1 + permutations)), so they are
 * never 0 and the test keeps its level.
 */
import { uniformSource } from './random.ts';

export interface PermutationOptions {
  permutations: number;
  seed: number;
}

export interface PermutationP {
  /** P(statistic ≤ observed) under the null: evidence that it is lower. */
  less: number;
  /** P(statistic ≥ observed) under the null: evidence that it is higher. */
  greater: number;
}

/**
 * One-sided permutation p-values of each statistic. `statistics(swap)` computes them with the
 * pair swapped on the rows where swap[i] = 1 (all zeros: the observed data). A statistic that is
 * undefined (null or not finite) on the observed data has a null p; undefined draws count as
 * not extreme.
 */
export function pairedPermutation(n: number, statistics: (swap: Uint8Array) => (number | null)[], options: PermutationOptions): (PermutationP | null)[] {
  const random = uniformSource(options.seed);
  const swap = new Uint8Array(n);
  const observed = statistics(swap);
  const less = observed.map(() => 0);
  const greater = observed.map(() => 0);
  // A relative tolerance so that arrangements equal to the observed one up to rounding count as ties.
  const tol = (v: number) => 1e-12 * Math.max(1, Math.abs(v));
  for (let r = 0; r < options.permutations; r++) {
    for (let i = 0; i < n; i++) swap[i] = random() < 0.5 ? 1 : 0;
    const values = statistics(swap);
    values.forEach((v, s) => {
      const o = observed[s];
      if (v === null || v === undefined || !Number.isFinite(v) || o === null || o === undefined) return;
      if (v <= o + tol(o)) less[s]!++;
      if (v >= o - tol(o)) greater[s]!++;
    });
  }
  return observed.map((o, s) =>
    o === null || o === undefined || !Number.isFinite(o) ? null : { less: (1 + less[s]!) / (1 + options.permutations), greater: (1 + greater[s]!) / (1 + options.permutations) },
  );
}
