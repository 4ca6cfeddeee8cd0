/** Time behind an interface, so tests can hold it still. */
export interface Clock {
  /** Monotonic milliseconds with sub-millisecond resolution, for durations. */
  now(): number;
  /** Wall-clock time, for timestamps. */
  date(): Date;
}

export const systemClock: Clock = {
  // performance.now(): monotonic and sub-millisecond, and cheaper than hrtime.bigint() in hot loops.
  now: () => performance.now(),
  date: () => new Date(),
};
