/** Reading the untyped JSON a server answers: objects, declared shapes, RFC 6901 pointers. */
import type { Dim, Feeds, Tensor } from '../types.ts';
import { TensorDecodeError } from '../tensor-json.ts';

export type Json = Record<string, unknown>;

/** The value as a JSON object, or null when it is not one (an array, a scalar, null). */
export const obj = (v: unknown): Json | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null);

/** The one input of a protocol that sends one; several are an error naming the count. */
export const only = (feeds: Feeds): [string, Tensor] => {
  const entries = Object.entries(feeds);
  if (entries.length !== 1) throw new TensorDecodeError(`this protocol sends one input; the model binding has ${entries.length}`);
  return entries[0]!;
};

/** A declared shape: -1 is the batch dimension when first, unknown elsewhere. */
export const dims = (shape: unknown[]): Dim[] => shape.map((d, i) => (Number(d) >= 0 ? Number(d) : i === 0 ? 'N' : null));

/** RFC 6901: `/a/0/b`, with ~1 for `/` and ~0 for `~`. */
export function pointer(doc: unknown, path: string): unknown {
  if (path === '') return doc;
  let cur = doc;
  for (const raw of path.replace(/^\//, '').split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (obj(cur)) cur = obj(cur)![key];
    else return undefined;
  }
  return cur;
}
