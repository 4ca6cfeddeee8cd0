/**
 * The embedded runner: an ONNX model run in-process by onnxruntime-node on the CPU.
 *
 * onnxruntime-node returns tensors only: asked for a sequence or a map it fails the whole call
 * ("Non tensor type is temporarily not supported"). A classifier exported by skl2onnx with its
 * default ZipMap declares `output_probability` as seq(map(label, float)); the runner reads the
 * probability tensor the ZipMap is made from instead (made a graph output of its own, since
 * onnxruntime only fetches graph outputs) and reports it under the ZipMap output's name with the
 * ZipMap's class labels. Other non-tensor outputs are left out, each named with the fix.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { ELEM_FLOAT, classLabelsOf, idTableRows, readGraphFacts, withGraphOutputs, type GraphFacts } from './onnx-graph.ts';
import type { OrtModule } from './onnxruntime-loader.ts';
import type { DType, Feeds, ModelRunner, ModelSignature, Outputs, TensorSpec, UnreadableOutput } from './types.ts';
import { INTEGER_TYPES } from './types.ts';

/**
 * Graph files up to this size are read for class labels; larger ones (deep nets, whose weights make
 * the size) are not classical-ML classifiers, and reading them would double the memory at load.
 */
const GRAPH_READ_LIMIT = 64 * 1024 * 1024;

export interface OnnxRunnerOptions {
  /** Threads inside one operator; 0 lets onnxruntime choose (all cores). */
  intraOpThreads?: number;
}

/** What to fetch from the session and under which names to report it. */
interface OutputPlan {
  /** Session outputs to fetch (tensors only). */
  fetch: string[];
  /** [fetched, reported] pairs where a tensor is reported under another output's name. */
  aliases: [string, string][];
  outputs: TensorSpec[];
  unreadable: UnreadableOutput[];
}

export async function openOnnxRunner(ort: OrtModule, path: string, options: OnnxRunnerOptions = {}): Promise<ModelRunner> {
  const sessionOptions: InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: options.intraOpThreads ?? 0,
    // Failures reach the user as check results; onnxruntime's own error log would repeat them.
    logSeverityLevel: 4,
  };
  let session = await ort.InferenceSession.create(path, sessionOptions);
  if (session.outputMetadata.every((m) => m.isTensor)) {
    const graph = (await stat(path)).size <= GRAPH_READ_LIMIT ? labelFacts(await readFile(path)) : null;
    const outputs = session.outputMetadata.map((m) => tensorSpec(m, graph));
    return new OnnxRunner(ort, session, path, { fetch: outputs.map((o) => o.name), aliases: [], outputs, unreadable: [] }, graph);
  }
  // Non-tensor outputs: the graph says what they are and what makes them.
  const bytes = await readFile(path);
  const graph = readGraphFacts(bytes);
  const zipped = session.outputMetadata.filter((m) => !m.isTensor && graph.zipmaps.has(m.name)).map((m) => graph.zipmaps.get(m.name)!);
  const declared = new Set(session.outputNames);
  const added = [...new Set(zipped.map((z) => z.input).filter((name) => !declared.has(name)))];
  if (added.length > 0) {
    await session.release();
    session = await ort.InferenceSession.create(withGraphOutputs(bytes, added.map((name) => ({ name, elemType: ELEM_FLOAT }))), {
      ...sessionOptions,
      // Loaded from bytes, onnxruntime resolves external weight files against this folder.
      ...(graph.externalData ? { extra: { session: { model_external_initializers_file_folder_path: dirname(resolve(path)) } } } : {}),
    });
  }
  return new OnnxRunner(ort, session, path, planOutputs(session.outputMetadata, graph, new Set(added)), graph);
}

/**
 * Declared outputs in order: tensors as they are, a ZipMap's output as the tensor it zips, other
 * non-tensor outputs left out with the fix. `added` are the graph outputs the runner appended.
 */
function planOutputs(metadata: readonly InferenceSession.ValueMetadata[], graph: GraphFacts, added: ReadonlySet<string>): OutputPlan {
  const plan: OutputPlan = { fetch: [], aliases: [], outputs: [], unreadable: [] };
  const byName = new Map(metadata.map((m) => [m.name, m]));
  const fetch = new Set<string>();
  for (const meta of metadata) {
    if (added.has(meta.name)) continue;
    if (meta.isTensor) {
      fetch.add(meta.name);
      plan.outputs.push(tensorSpec(meta, graph));
      continue;
    }
    const type = graph.outputs.find((o) => o.name === meta.name)?.type ?? 'a non-tensor type';
    const zipmap = graph.zipmaps.get(meta.name);
    const source = zipmap && byName.get(zipmap.input);
    if (zipmap && source?.isTensor) {
      fetch.add(zipmap.input);
      plan.aliases.push([zipmap.input, meta.name]);
      const spec = toSpec(source);
      plan.outputs.push({
        ...spec,
        // Rows × one column per class label, when onnxruntime did not infer the shape.
        shape: spec.shape.length === 0 && zipmap.classes.length > 0 ? [null, zipmap.classes.length] : spec.shape,
        name: meta.name,
        source: { op: 'ZipMap', tensor: zipmap.input, type },
        ...(zipmap.classes.length > 0 ? { classes: zipmap.classes } : {}),
      });
      continue;
    }
    plan.unreadable.push({ name: meta.name, type, problem: unreadableProblem(meta.name, type, graph.producers.get(meta.name)) });
  }
  plan.fetch = [...fetch];
  return plan;
}

/** A tensor output's spec with what its graph says of it; `graph` null: the graph was not read. */
function tensorSpec(meta: InferenceSession.ValueMetadata, graph: GraphFacts | null): TensorSpec {
  const spec = toSpec(meta);
  if (!graph) return spec;
  // A classifier's own class labels name its label and probability columns (skl2onnx without ZipMap).
  const classes = classLabelsOf(graph, meta.name);
  // A Softmax over the last axis of [rows, classes] (axis 1 or −1, or the default, which is the
  // last axis of a rank-2 input in every opset): each row is a distribution.
  const axis = graph.softmaxAxis.get(meta.name);
  const perRow = axis !== undefined && spec.shape.length === 2 && (axis === null || axis === 1 || axis === -1);
  const sigmoid = graph.producers.get(meta.name) === 'Sigmoid';
  return { ...spec, ...(classes ? { classes } : {}), ...(perRow ? { softmax: true as const } : {}), ...(sigmoid ? { sigmoid: true as const } : {}) };
}

/** An input's spec with the size of the table it indexes, when it feeds an embedding lookup. */
function inputSpec(meta: InferenceSession.ValueMetadata, graph: GraphFacts | null): TensorSpec {
  const spec = toSpec(meta);
  const rows = graph && spec.dtype && INTEGER_TYPES.has(spec.dtype) ? idTableRows(graph, meta.name) : null;
  return rows === null ? spec : { ...spec, ids: rows };
}

/** The graph read for class labels only: a graph onnxruntime loaded but this reader cannot parse has none. */
function labelFacts(bytes: Uint8Array): GraphFacts | null {
  try {
    return readGraphFacts(bytes);
  } catch {
    return null;
  }
}

function unreadableProblem(name: string, type: string, producer: string | undefined): string {
  const made = producer ? `made by a ${producer} node` : 'not made by a ZipMap node';
  const fix = /\bmap\(/.test(type)
    ? `export the model with "${name}" as a tensor (skl2onnx: options={id(model): {'zipmap': False}}), or make it with a ZipMap over a probability tensor`
    : `export the model with "${name}" as a tensor (for a sequence of per-row tensors, Concat them instead)`;
  return `output "${name}" is ${type}, ${made}; onnxruntime-node returns only tensors, so it cannot be read: ${fix}`;
}

class OnnxRunner implements ModelRunner {
  readonly kind = 'onnx';
  readonly target: string;
  readonly signature: ModelSignature;
  readonly #ort: OrtModule;
  readonly #session: InferenceSession;
  readonly #plan: OutputPlan;

  constructor(ort: OrtModule, session: InferenceSession, target: string, plan: OutputPlan, graph: GraphFacts | null) {
    this.#ort = ort;
    this.#session = session;
    this.#plan = plan;
    this.target = target;
    this.signature = {
      inputs: session.inputMetadata.map((meta) => inputSpec(meta, graph)),
      outputs: plan.outputs,
      ...(plan.unreadable.length > 0 ? { unreadable: plan.unreadable } : {}),
    };
  }

  async infer(feeds: Feeds): Promise<Outputs> {
    const plan = this.#plan;
    if (plan.fetch.length === 0) {
      throw new Error(`the model has no output that can be read: ${plan.unreadable.map((u) => u.problem).join('; ')}`);
    }
    // Hot path: plain loops, and zero-copy tensors (onnxruntime takes the typed arrays as they are).
    const ortFeeds: Record<string, OrtTensor> = {};
    for (const name in feeds) {
      const t = feeds[name]!;
      ortFeeds[name] = new this.#ort.Tensor(t.dtype as never, t.data as never, t.dims as number[]);
    }
    const results = await this.#session.run(ortFeeds, plan.fetch);
    const outputs: Outputs = {};
    for (const name in results) {
      const value = results[name]!;
      outputs[name] = { dtype: value.type as DType, dims: value.dims, data: value.data as never };
    }
    for (const [fetched, reported] of plan.aliases) outputs[reported] = outputs[fetched]!;
    // A tensor appended only to be read under the ZipMap's name is not an output of its own.
    for (const [fetched] of plan.aliases) if (!plan.outputs.some((o) => o.name === fetched)) delete outputs[fetched];
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
