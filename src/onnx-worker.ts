/**
 * Child-process entry: one ONNX model served to the parent over IPC, so that a request which
 * crashes onnxruntime (an abort on an empty batch) or never returns (a runaway Loop) ends this
 * process, not the gate. See runners/onnx-process.ts for the parent side.
 */
// First: on an unsupported Node it exits 2 with one line before the modules below load.
import './node-version-gate.ts';
import { openOnnxRunner } from './runners/onnx.ts';
import { loadOnnxRuntime } from './runners/onnxruntime-loader.ts';
import type { Feeds, ModelRunner } from './runners/types.ts';
import { getErrorMessage } from './errors.ts';
import { isPinned, readPinned, type PinnedTensor } from './runners/pinned.ts';

type Request = { type: 'open'; path: string; intraOpThreads?: number } | { type: 'infer'; id: number; feeds: Record<string, Feeds[string] | PinnedTensor>; timed?: boolean };

let runner: ModelRunner | null = null;
/** This process's resident memory now and at its peak, in bytes, sent with every reply. */
const memory = () => ({ rss: process.memoryUsage.rss(), peak: process.resourceUsage().maxRSS * 1024 });
const send = (message: object) => process.send!({ ...message, memory: memory() });

process.on('message', (message: Request) => {
  void (async () => {
    if (message.type === 'open') {
      try {
        const ort = await loadOnnxRuntime({ info: () => undefined });
        const t = performance.now();
        runner = await openOnnxRunner(ort, message.path, { intraOpThreads: message.intraOpThreads ?? 0 });
        send({ type: 'ready', signature: runner.signature, loadMs: performance.now() - t });
      } catch (error) {
        send({ type: 'failed', error: getErrorMessage(error) });
      }
      return;
    }
    // Feeds of pinned rows come as a place in a file (runners/pinned.ts), read before the clock starts.
    const feeds: Feeds = {};
    try {
      for (const name in message.feeds) {
        const feed = message.feeds[name]!;
        feeds[name] = isPinned(feed) ? readPinned(feed) : feed;
      }
    } catch (error) {
      // Not the model's failure: the parent sends the rows whole instead.
      send({ type: 'result', id: message.id, error: getErrorMessage(error), unpinned: true });
      return;
    }
    try {
      const t = performance.now();
      const outputs = await runner!.infer(feeds);
      send({ type: 'result', id: message.id, outputs, ms: performance.now() - t });
    } catch (error) {
      send({ type: 'result', id: message.id, error: getErrorMessage(error) });
    }
  })();
});
// The parent going away ends the child: no orphan keeps a model in memory.
process.on('disconnect', () => process.exit(0));
