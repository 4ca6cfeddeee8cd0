/**
 * The load generator. Closed loop: N requests in flight, each sent when the last returns.
 * Open loop: requests sent on a fixed schedule whatever the answers' pace, and each latency counted
 * from the time the request was due, not when it went out, so a stalled server cannot hide its
 * stall by slowing the generator down (no coordinated omission).
 */
import type { Clock } from '../../clock.ts';
import { mean, quantileSorted, sortedCopy } from '../../stats/quantile.ts';

/** One request's fate: `ok`, or why not ("500", "timeout", "ECONNREFUSED", …). */
export interface Sent {
  ok: boolean;
  /** HTTP status code, or a short error class. */
  status: string;
}

/** What a load run sends to: prepared request `i` (requests cycle through a prepared set), answered by callback. */
export interface LoadTarget {
  send(i: number, done: (sent: Sent) => void): void;
  close?(): Promise<void>;
}

/** Why a request failed, as a short class for the per-status counts. */
export function failureClass(error: unknown): string {
  const e = error as { name?: string; code?: string; status?: number };
  if (e?.name === 'RunnerTimeoutError') return 'timeout';
  if (typeof e?.status === 'number') return String(e.status);
  return e?.code ?? e?.name ?? 'error';
}

/** A target that calls a promise-returning function (runners without a prepared-request path). */
export function promiseTarget(call: (i: number) => Promise<unknown>): LoadTarget {
  return {
    send(i, done) {
      call(i).then(
        () => done({ ok: true, status: 'ok' }),
        (error: unknown) => done({ ok: false, status: failureClass(error) }),
      );
    },
  };
}

export type LoadPlan = { mode: 'closed'; concurrency: number } | { mode: 'open'; rate: number; maxInFlight: number };

export interface LoadRun {
  mode: 'closed' | 'open';
  concurrency: number | null;
  rate: number | null;
  duration_s: number;
  requests: number;
  ok: number;
  errors: number;
  timeouts: number;
  /** Open loop: requests not sent because max_in_flight were already waiting (counted as errors). */
  dropped: number;
  error_rate: number;
  /** Answers (good or bad) per second of measured time. */
  achieved_rps: number;
  /** Latency of successful requests. */
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  mean_ms: number;
  status_counts: Record<string, number>;
  /** Seconds since the last successful answer at the end of the run (null: none at all). */
  since_last_ok_s: number | null;
}

class Recorder {
  latencies = new Float64Array(4096);
  n = 0;
  ok = 0;
  errors = 0;
  timeouts = 0;
  dropped = 0;
  lastOk = -Infinity;
  status = new Map<string, number>();

  add(sent: Sent, ms: number, at: number): void {
    this.status.set(sent.status, (this.status.get(sent.status) ?? 0) + 1);
    if (!sent.ok) {
      this.errors++;
      if (sent.status === 'timeout') this.timeouts++;
      return;
    }
    this.ok++;
    this.lastOk = at;
    if (this.n === this.latencies.length) {
      const grown = new Float64Array(this.n * 2);
      grown.set(this.latencies);
      this.latencies = grown;
    }
    this.latencies[this.n++] = ms;
  }
}

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function closedLoop(target: LoadTarget, concurrency: number, until: number, clock: Clock, rec: Recorder | null, counter: { i: number }): Promise<void> {
  return new Promise((resolve) => {
    let active = concurrency;
    const worker = () => {
      let t0 = clock.now();
      const answered = (sent: Sent) => {
        const t1 = clock.now();
        rec?.add(sent, t1 - t0, t1);
        if (t1 < until) {
          t0 = t1;
          target.send(counter.i++, answered);
        } else if (--active === 0) resolve();
      };
      target.send(counter.i++, answered);
    };
    for (let k = 0; k < concurrency; k++) worker();
  });
}

async function openLoop(target: LoadTarget, rate: number, maxInFlight: number, start: number, until: number, clock: Clock, rec: Recorder | null, counter: { i: number }): Promise<void> {
  const interval = 1000 / rate;
  const last = Math.ceil((until - start) / interval);
  let inFlight = 0;
  let drained: (() => void) | null = null;
  let k = 0; // requests due so far
  while (k < last) {
    const now = clock.now();
    const due = Math.min(Math.floor((now - start) / interval) + 1, last);
    for (; k < due; k++) {
      const scheduled = start + k * interval;
      if (inFlight >= maxInFlight) {
        rec?.add({ ok: false, status: 'dropped' }, 0, now);
        if (rec) rec.dropped++;
        continue;
      }
      inFlight++;
      target.send(counter.i++, (sent) => {
        const t1 = clock.now();
        rec?.add(sent, t1 - scheduled, t1);
        if (--inFlight === 0) drained?.();
      });
    }
    const next = start + k * interval - clock.now();
    // Timers are coarse (>= 1 ms): sleep when the next request is far, else just let answers in.
    if (next > 2) await sleep(next - 1);
    else await yieldNow();
  }
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
}

export async function runLoad(target: LoadTarget, plan: LoadPlan, durationS: number, warmupS: number, clock: Clock): Promise<LoadRun> {
  const counter = { i: 0 };
  const drive = (rec: Recorder | null, seconds: number) => {
    const start = clock.now();
    const until = start + seconds * 1000;
    return plan.mode === 'closed'
      ? closedLoop(target, plan.concurrency, until, clock, rec, counter)
      : openLoop(target, plan.rate, plan.maxInFlight, start, until, clock, rec, counter);
  };
  if (warmupS > 0) await drive(null, warmupS);
  const rec = new Recorder();
  const t0 = clock.now();
  await drive(rec, durationS);
  const elapsed = (clock.now() - t0) / 1000;
  const sorted = sortedCopy(rec.latencies.subarray(0, rec.n));
  const total = rec.ok + rec.errors;
  return {
    mode: plan.mode,
    concurrency: plan.mode === 'closed' ? plan.concurrency : null,
    rate: plan.mode === 'open' ? plan.rate : null,
    duration_s: elapsed,
    requests: total,
    ok: rec.ok,
    errors: rec.errors,
    timeouts: rec.timeouts,
    dropped: rec.dropped,
    error_rate: total === 0 ? 1 : rec.errors / total,
    achieved_rps: (total - rec.dropped) / elapsed,
    p50_ms: quantileSorted(sorted, 0.5),
    p95_ms: quantileSorted(sorted, 0.95),
    p99_ms: quantileSorted(sorted, 0.99),
    max_ms: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
    mean_ms: sorted.length > 0 ? mean(sorted) : Number.NaN,
    status_counts: Object.fromEntries([...rec.status].sort(([a], [b]) => a.localeCompare(b))),
    since_last_ok_s: rec.lastOk === -Infinity ? null : Math.max(0, (clock.now() - rec.lastOk) / 1000),
  };
}
