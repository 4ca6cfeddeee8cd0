/** The embedded runner: an ONNX model run in-process by onnxruntime-node on the CPU. */
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import type { OrtModule } from './onnxruntime-loader.ts';
import type { DType, Feeds, ModelRunner, ModelSignature, Outputs, TensorSpec } from './types.ts';

export interface OnnxRunnerOptions {
  /** Threads inside one operator; 0 lets onnxruntime choose (all cores). */
  intraOpThreads?: number;
}

export async function openOnnxRunner(
  ort: OrtModule,
  path: string,
  options: OnnxRunnerOptions = {},
): Promise<ModelRunner> {
  const session = await ort.InferenceSession.create(path, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: options.intraOpThreads ?? 0,
    // Failures reach the user as check results; onnxruntime's own error log would repeat them.
    logSeverityLevel: 4,
  });
  return new OnnxRunner(ort, session, path);
}

class OnnxRunner implements ModelRunner {
  readonly kind = 'onnx';
  readonly target: string;
  readonly signature: ModelSignature;
  readonly #ort: OrtModule;
  readonly #session: InferenceSession;

  constructor(ort: OrtModule, session: InferenceSession, target: string) {
    this.#ort = ort;
    this.#session = session;
    this.target = target;
    this.signature = {
      inputs: session.inputMetadata.map(toSpec),
      outputs: session.outputMetadata.map(toSpec),
    };
  }

  async infer(feeds: Feeds): Promise<Outputs> {
    // Hot path: plain loops, and zero-copy tensors (onnxruntime takes the typed arrays as they are).
    const ortFeeds: Record<string, OrtTensor> = {};
    for (const name in feeds) {
      const t = feeds[name]!;
      ortFeeds[name] = new this.#ort.Tensor(t.dtype as never, t.data as never, t.dims as number[]);
    }
    const results = await this.#session.run(ortFeeds);
    const outputs: Outputs = {};
    for (const name in results) {
      const value = results[name]!;
      outputs[name] = { dtype: value.type as DType, dims: value.dims, data: value.data as never };
    }
    return outputs;
  }

  async close(): Promise<void> {
    await this.#session.release();
  }
}

function toSpec(meta: InferenceSession.ValueMetadata): TensorSpec {
  if (!meta.isTensor) return { name: meta.name, dtype: null, shape: [] };
  return {
    name: meta.name,
    dtype: meta.type as DType,
    shape: meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : typeof d === 'string' && d ? d : null)),
    // onnxruntime reports both a declared scalar and an absent shape as []; exporters always declare
    // input shapes, so [] here is a scalar (a sample rate, a step count).
    ...(meta.shape.length === 0 ? { scalar: true } : {}),
  };
}
