/**
 * Where live metrics come from. Prometheus: the HTTP API's instant queries (PromQL templates with
 * `{version}`, `{stage}`, `{weight}`, `{window}`); JSON: a document (file or URL) read afresh at
 * every measurement, the queries being JSON Pointers into it.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'undici';
import type { PromotionConfig, PromotionMetric } from '../config/types.ts';
import { getErrorMessage } from '../errors.ts';
import { pointer } from '../runners/http/protocols.ts';
import type { Histogram, MetricData } from './types.ts';

export type Sample = { labels: Record<string, string>; value: number };
export type QueryResult = number | null | Sample[];

export interface MetricsProvider {
  /** A scalar (null: no data) or labelled samples. */
  query(q: string): Promise<QueryResult>;
  /** One series' values over the last `seconds`, every `step` seconds (null: no data). */
  queryRange(q: string, seconds: number, step: number): Promise<number[] | null>;
}

export interface QueryVars {
  version: string;
  stage: string;
  weight: number;
  /** Seconds, e.g. 60 → `60s`. */
  window: number;
}

export function render(template: string, vars: QueryVars): string {
  return template
    .replace(/\{version\}/g, vars.version)
    .replace(/\{stage\}/g, vars.stage)
    .replace(/\{weight\}/g, String(vars.weight))
    .replace(/\{window\}/g, `${Math.max(1, Math.round(vars.window))}s`);
}

export function prometheusProvider(cfg: NonNullable<PromotionConfig['prometheus']>, headers: Record<string, string>): MetricsProvider {
  const base = cfg.url.replace(/\/+$/, '');
  const get = async (path: string, q: string) => {
      const url = `${base}${path}`;
      let status: number;
      let text: string;
      try {
        const res = await request(url, { headers: { accept: 'application/json', ...headers }, signal: AbortSignal.timeout(cfg.timeout_seconds * 1000) });
        status = res.statusCode;
        text = await res.body.text();
      } catch (error) {
        throw new Error(`Prometheus at ${base}: ${getErrorMessage(error)}`, { cause: error });
      }
      let body: { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
      try {
        body = JSON.parse(text);
      } catch (error) {
        throw new Error(`Prometheus at ${base} answered ${status} with something that is not JSON: ${text.slice(0, 120)}`, { cause: error });
      }
      if (status !== 200 || body.status !== 'success') throw new Error(`Prometheus rejected the query ${q}: ${body.error ?? `HTTP ${status}`}`);
      return body.data ?? {};
  };
  return {
    async query(q) {
      const { resultType, result } = await get(`/api/v1/query?query=${encodeURIComponent(q)}`, q);
      if (resultType === 'scalar') return toNumber((result as [number, string])[1]);
      if (resultType === 'vector') {
        return (result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => ({ labels: s.metric, value: toNumber(s.value[1]) ?? Number.NaN }));
      }
      throw new Error(`the query ${q} gives a ${resultType}; use an instant vector or scalar (e.g. sum(increase(x[{window}])))`);
    },
    async queryRange(q, seconds, step) {
      const end = Date.now() / 1000;
      const { resultType, result } = await get(`/api/v1/query_range?query=${encodeURIComponent(q)}&start=${end - seconds}&end=${end}&step=${step}`, q);
      if (resultType !== 'matrix') throw new Error(`the range query ${q} gives a ${resultType}`);
      const series = result as { values: [number, string][] }[];
      if (series.length === 0) return null;
      if (series.length > 1) throw new Error(`the range query ${q} gives ${series.length} series; aggregate it to one`);
      return series[0]!.values.map(([, v]) => Number(v)).filter((v) => Number.isFinite(v));
    },
  };
}

const toNumber = (s: string): number | null => {
  const n = Number(s);
  return Number.isNaN(n) ? null : n;
};

export function jsonProvider(source: string, headers: Record<string, string>): MetricsProvider {
  let doc: unknown = null;
  let readAt = -1;
  const load = async () => {
    const text = /^https?:\/\//.test(source)
      ? await (async () => {
          const res = await request(source, { headers, signal: AbortSignal.timeout(30_000) });
          if (res.statusCode !== 200) throw new Error(`${source} answered ${res.statusCode}`);
          return res.body.text();
        })()
      : await readFile(source, 'utf8');
    doc = JSON.parse(text);
  };
  /** What the pointer finds in the document, re-read once per measurement (queries within a second share it). */
  const at = async (q: string): Promise<unknown> => {
    if (Date.now() - readAt > 1000) {
      try {
        await load();
      } catch (error) {
        throw new Error(`metrics document ${source}: ${getErrorMessage(error)}`, { cause: error });
      }
      readAt = Date.now();
    }
    return pointer(doc, q);
  };
  return {
    async query(q) {
      return readJson(await at(q), q, source);
    },
    async queryRange(q) {
      // The document holds the window's samples already: an array of numbers (or one number).
      const v = await at(q);
      if (Array.isArray(v)) {
        const i = v.findIndex((x) => typeof x !== 'number');
        if (i >= 0) throw new Error(`${q} in ${source}: sample ${i} is ${JSON.stringify(v[i])?.slice(0, 40)}, not a number`);
        return v as number[];
      }
      const r = readJson(v, q, source);
      if (r === null || typeof r === 'number') return r === null ? null : [r];
      throw new Error(`${q} in ${source} gives buckets where samples (an array of numbers) are needed`);
    },
  };
}

/**
 * What a JSON Pointer found, as a query result: a number, null (the document says: no data), or
 * buckets (`[{le, count}]` or `{"<le>": count}`). Anything else — nothing at the pointer, a string,
 * an array of other objects — is an error naming the pointer, never a silent zero or no-data.
 */
export function readJson(v: unknown, q: string, source: string): QueryResult {
  const where = `${q} in ${source}`;
  if (v === undefined) throw new Error(`${where} finds nothing: the document has no such key`);
  if (v === null) return null;
  if (typeof v === 'number') return v;
  const count = (c: unknown, le: string): number => {
    if (typeof c !== 'number') throw new Error(`${where}: the count of bucket le=${le} is ${JSON.stringify(c)?.slice(0, 40)}, not a number`);
    return c;
  };
  const bound = (le: unknown): string => {
    if (typeof le === 'number' || le === '+Inf' || (typeof le === 'string' && le.trim() !== '' && Number.isFinite(Number(le)))) return String(le);
    throw new Error(`${where}: bucket bound ${JSON.stringify(le)?.slice(0, 40)} is not a number or "+Inf"`);
  };
  if (Array.isArray(v)) {
    return v.map((x: unknown, i) => {
      if (typeof x !== 'object' || x === null || !('le' in x)) throw new Error(`${where} is an array whose element ${i} is not a bucket {"le": …, "count": …}; a number is expected here, or buckets`);
      const b = x as { le: unknown; count?: unknown; value?: unknown };
      const le = bound(b.le);
      return { labels: { le }, value: count(b.count ?? b.value, le) };
    });
  }
  if (typeof v === 'object') return Object.entries(v).map(([le, c]) => ({ labels: { le: bound(le) }, value: count(c, le) }));
  throw new Error(`${where} is ${JSON.stringify(v).slice(0, 40)}, not a number or buckets`);
}

function scalar(r: QueryResult, q: string): number | null {
  if (r === null || typeof r === 'number') return r;
  if (r.length === 0) return null; // no series: no data
  if (r.length > 1) throw new Error(`the query ${q} gives ${r.length} series; aggregate it to one (sum(...))`);
  if (r[0]!.labels.le !== undefined) throw new Error(`the query ${q} gives a bucket (labelled le) where one number is needed`);
  return Number.isNaN(r[0]!.value) ? null : r[0]!.value;
}

function histogram(r: QueryResult, q: string): Histogram | null {
  if (r === null || typeof r === 'number') {
    if (r === null) return null;
    throw new Error(`the query ${q} gives a single number; it must give bucket counts labelled le`);
  }
  if (r.length === 0) return null;
  const points = r.map((s) => {
    if (s.labels.le === undefined) throw new Error(`the query ${q} gives series without an le label: aggregate with sum by (le) (...)`);
    return { le: s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le), count: Number.isFinite(s.value) ? s.value : 0 };
  });
  points.sort((a, b) => a.le - b.le);
  return { le: points.map((p) => p.le), cumulative: points.map((p) => p.count) };
}

/** Reads what one metric needs, canary and stable, over the window. */
export async function fetchMetric(provider: MetricsProvider, m: PromotionMetric, vars: QueryVars): Promise<MetricData> {
  const both = async <T>(pair: { canary: string; stable: string } | undefined, what: string, read: (r: QueryResult, q: string) => T) => {
    if (!pair) throw new Error(`metric ${m.name} (${m.kind}) needs "${what}" queries for canary and stable`);
    const qc = render(pair.canary, vars);
    const qs = render(pair.stable, vars);
    const [c, s] = await Promise.all([provider.query(qc), provider.query(qs)]);
    return { canary: read(c, qc), stable: read(s, qs) };
  };
  if (m.kind === 'error_rate') return { kind: 'error_rate', errors: await both(m.errors, 'errors', scalar), requests: await both(m.requests, 'requests', scalar) };
  if (m.kind === 'latency' && m.samples) {
    const qc = render(m.samples.canary, vars);
    const qs = render(m.samples.stable, vars);
    const [canary, stable] = await Promise.all([provider.queryRange(qc, vars.window, m.step_seconds), provider.queryRange(qs, vars.window, m.step_seconds)]);
    return { kind: 'latency', samples: { canary, stable } };
  }
  if (m.kind === 'latency') return { kind: 'latency', buckets: await both(m.buckets, 'buckets', histogram) };
  return { kind: 'value', value: await both(m.value, 'value', scalar) };
}
