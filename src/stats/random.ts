/** Seeded randomness, so bootstrap intervals and generated inputs are reproducible. */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { mersenne } from 'pure-rand/generator/mersenne';

/** A seeded source of uniform doubles in [0, 1). */
export function uniformSource(seed: number): () => number {
  const rng = mersenne(seed);
  return () => uniformFloat64(rng);
}
