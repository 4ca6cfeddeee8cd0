/**
 * Waiting for the rest of a dead child's stderr: Node can report a child's exit before the last of
 * its stderr is read, and the traceback that says why would be lost from the error.
 */
import type { Readable } from 'node:stream';

/** Resolves once the stream has ended, or after `ms` (a process the child forked may hold it open). */
export function drained(stream: Readable | null, ms: number): Promise<void> {
  if (!stream || stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stream.off('end', done);
      stream.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stream.once('end', done);
    stream.once('close', done);
  });
}
