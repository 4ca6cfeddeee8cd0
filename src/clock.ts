/** Time behind an interface, so tests can hold it still. */
export interface Clock {
  /** Monotonic milliseconds with sub-millisecond resolution, for durations. */
  now(): number;
  /** Wall-clock time, for timestamps. */
  date(): Date;
}

export const systemClock: Clock = {
  now: () => Number(process.hrtime.bigint()) / 1e6,
  date: () => new Date(),
};
