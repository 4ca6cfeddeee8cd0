/**
 * What a model file that is not ONNX probably is (a pickle, an XGBoost or LightGBM model, a
 * TorchScript archive…), from its name and first bytes, so that an error can say how to run it
 * instead of onnxruntime's "Protobuf parsing failed".
 */
import { open } from 'node:fs/promises';
import { extname } from 'node:path';

export type ForeignKind = 'sklearn' | 'xgboost' | 'lightgbm' | 'torchscript' | 'keras' | 'tensorflow';

/** The kinds examples/serving/python_adapter.py runs. */
const ADAPTED: ReadonlySet<ForeignKind> = new Set(['sklearn', 'xgboost', 'lightgbm', 'torchscript']);

const BY_EXTENSION: Record<string, ForeignKind> = {
  '.pkl': 'sklearn',
  '.pickle': 'sklearn',
  '.joblib': 'sklearn',
  '.ubj': 'xgboost',
  '.pt': 'torchscript',
  '.pth': 'torchscript',
  '.h5': 'keras',
  '.keras': 'keras',
  '.pb': 'tensorflow',
};

const NAMES: Record<ForeignKind, string> = {
  sklearn: 'a pickled (or joblib) Python object, e.g. a scikit-learn model',
  xgboost: 'an XGBoost model',
  lightgbm: 'a LightGBM text model',
  torchscript: 'a PyTorch / TorchScript file',
  keras: 'a Keras model',
  tensorflow: 'a TensorFlow graph',
};

/** The kind from the extension and the first bytes; null when nothing points anywhere. */
export function foreignKindOf(path: string, head: Uint8Array): ForeignKind | null {
  const text = Buffer.from(head).toString('latin1');
  if (head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) return 'sklearn'; // pickle protocol 2–5
  if (text.startsWith('PK\x03\x04')) return extname(path).toLowerCase() === '.keras' ? 'keras' : 'torchscript'; // a zip: torch.save / torch.jit.save
  if (text.startsWith('\x89HDF')) return 'keras';
  if (/^tree\r?\nversion=/.test(text)) return 'lightgbm';
  if (text.startsWith('{') && /"learner"|\blearner\b/.test(text)) return 'xgboost';
  const ext = extname(path).toLowerCase();
  if (ext === '.json' && text.includes('learner')) return 'xgboost';
  if (ext === '.txt' && /^tree/.test(text)) return 'lightgbm';
  return BY_EXTENSION[ext] ?? null;
}

/** How to run a model file that is not ONNX, for an error message; `flag` is the option the fix uses. */
export function runItHint(path: string, kind: ForeignKind | null, flag: '--command' | '--baseline-command'): string {
  const key = flag === '--command' ? 'model.command.run' : 'baseline.command.run';
  if (kind && ADAPTED.has(kind)) {
    return (
      `it looks like ${NAMES[kind]}; run it through the Python adapter model-gate ships: ` +
      `${flag} 'python3 examples/serving/python_adapter.py ${path}' (or ${key} in the config; in a workflow the script is at ` +
      '${{ github.action_path }}/examples/serving/python_adapter.py), or export the model to ONNX (see docs/frameworks.md)'
    );
  }
  return `${kind ? `it looks like ${NAMES[kind]}; ` : ''}model-gate opens ONNX files in-process: export the model to ONNX, or serve it (an HTTP endpoint) or run it through a command speaking JSON Lines (${flag}; see docs/frameworks.md)`;
}

/** The first bytes of a file (empty when it cannot be read: the caller reports the read error). */
export async function headOf(path: string, bytes = 512): Promise<Uint8Array> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return new Uint8Array(0);
  }
}
