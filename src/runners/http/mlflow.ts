/** MLflow's scoring server (`/invocations`): one input as rows, with column names or without. */
import { TensorDecodeError, rowsText, tensorFromValues } from '../tensor-json.ts';
import { obj, only } from './json-shape.ts';
import type { EndpointBase, ProtocolDescriptor } from './protocol.ts';

export interface MlflowSettings {
  /** MLflow: `dataframe_split` (with column names) or `inputs` (a plain array). */
  mlflow_format: 'dataframe_split' | 'inputs';
}

export const mlflow: ProtocolDescriptor<EndpointBase & MlflowSettings> = {
  build(c) {
    return {
      readyPaths: ['/ping'],
      expresses: { dtype: false, names: false },
      metadataPath: null,
      inferPath: '/invocations',
      signatureOf: () => null,
      encode(feeds, columns) {
        const [, t] = only(feeds);
        const rows = rowsText(t);
        if (c.mlflow_format === 'dataframe_split' && columns && columns.length === (t.dims[1] ?? 1)) {
          return { path: '/invocations', body: `{"dataframe_split":{"columns":${JSON.stringify(columns)},"data":${rows}}}` };
        }
        return { path: '/invocations', body: `{"inputs":${rows}}` };
      },
      decode(answer) {
        // MLflow 2 wraps the answer in {"predictions": …}; MLflow 1 answered the bare list.
        const preds = Array.isArray(answer) ? answer : obj(answer)?.predictions;
        if (!Array.isArray(preds)) throw new TensorDecodeError('the answer has no "predictions"');
        if (preds.length > 0 && obj(preds[0])) {
          const keys = Object.keys(obj(preds[0])!);
          return Object.fromEntries(keys.map((k) => [k, tensorFromValues(k, preds.map((p) => obj(p)?.[k]), null, null)]));
        }
        const o = obj(answer)?.predictions;
        if (obj(o)) return Object.fromEntries(Object.entries(obj(o)!).map(([k, v]) => [k, tensorFromValues(k, v, null, null)]));
        return { predictions: tensorFromValues('predictions', preds, null, null) };
      },
    };
  },
};
