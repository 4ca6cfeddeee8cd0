/**
 * A promotion interrupted mid-stage must leave traffic on stable. On SIGINT, SIGTERM or SIGHUP
 * (the runner's cancellation, a closed terminal) the stage is told to stop: a traffic command
 * already running is waited for (bounded, then killed, so that it cannot move traffic after the
 * rollback), the stage rolls back through its usual path, and the process exits 130. What does not
 * finish within the runner's grace period is left in the saved state for the post step to retry.
 */
import { getErrorMessage } from '../errors.ts';

export type CommandKind = 'traffic' | 'rollback' | 'promote';

export interface Interruption {
  /** Aborted at the first signal; its reason is the signal's name. */
  signal: AbortSignal;
  /** Registers the command now running and how to kill it; returns the unregistering function. */
  running(kind: CommandKind, kill: () => void): () => void;
}

/** How long a traffic command already running may take after a signal before it is killed. */
const WAIT_S = 3;
/**
 * All of it (the wait, the rollback, the records) within the runner's grace: GitHub sends SIGINT,
 * then SIGTERM 7.5 s later, then kills 2.5 s after that.
 */
const GRACE_S = 7;
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface Interrupts {
  interruption: Interruption;
  /** The run is over: handlers off; an interrupted run exits 130 now (a request still open must not keep it). */
  stop(): void;
}

/** `pending()`: is a stage under way (else a signal just exits 130)? */
export function handleInterrupts(pending: () => boolean, log: (line: string) => void): Interrupts {
  const controller = new AbortController();
  let current: { kind: CommandKind; kill: () => void } | null = null;
  const timers: NodeJS.Timeout[] = [];
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    if (!pending()) process.exit(130);
    log(`${signal}: the stage was interrupted; ${current?.kind === 'traffic' ? `waiting for the traffic command (at most ${WAIT_S} s), then ` : ''}rolling back`);
    controller.abort(signal);
    timers.push(
      setTimeout(() => {
        if (current?.kind !== 'traffic') return;
        log(`the traffic command is still running after ${WAIT_S} s: stopping it`);
        current.kill();
      }, WAIT_S * 1000),
      setTimeout(() => {
        // Out of grace: whatever runs is stopped; the saved state says traffic is not known to be on
        // stable, and the post step rolls back from it.
        log(`the rollback did not finish within ${GRACE_S} s: the post step retries it`);
        try {
          current?.kill();
        } catch (error) {
          log(getErrorMessage(error));
        }
        process.exit(130);
      }, GRACE_S * 1000),
    );
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    interruption: {
      signal: controller.signal,
      running(kind, kill) {
        const entry = { kind, kill };
        current = entry;
        return () => {
          if (current === entry) current = null;
        };
      },
    },
    stop() {
      for (const s of SIGNALS) process.off(s, handler);
      for (const t of timers) clearTimeout(t);
      if (controller.signal.aborted) process.exit(130);
    },
  };
}
