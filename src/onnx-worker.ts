/**
 * Child-process entry: one ONNX model served to the parent over IPC, so that a request which
 * crashes onnxruntime (an abort on an empty batch) or never returns (a runaway Loop) ends this
 * process, not the gate. See runners/onnx-process.ts for the parent side.
 */
import { openOnnxRunner } from './runners/onnx.ts';
import { loadOnnxRuntime } from './runners/onnxruntime-loader.ts';
import type { Feeds, ModelRunner } from './runners/types.ts';
import { getErrorMessage } from './errors.ts';

type Request = { type: 'open'; path: string; intraOpThreads?: number } | { type: 'infer'; id: number; feeds: Feeds };

let runner: ModelRunner | null = null;
const send = (message: unknown) => process.send!(message);

process.on('message', (message: Request) => {
  void (async () => {
    if (message.type === 'open') {
      try {
        const ort = await loadOnnxRuntime({ info: () => undefined });
        runner = await openOnnxRunner(ort, message.path, { intraOpThreads: message.intraOpThreads ?? 1 });
        send({ type: 'ready', signature: runner.signature });
      } catch (error) {
        send({ type: 'failed', error: getErrorMessage(error) });
      }
      return;
    }
    try {
      send({ type: 'result', id: message.id, outputs: await runner!.infer(message.feeds) });
    } catch (error) {
      send({ type: 'result', id: message.id, error: getErrorMessage(error) });
    }
  })();
});
// The parent going away ends the child: no orphan keeps a model in memory.
process.on('disconnect', () => process.exit(0));
