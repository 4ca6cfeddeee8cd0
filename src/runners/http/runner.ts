/**
 * A model behind an HTTP endpoint. Readiness is waited for (bounded), metadata read when the
 * protocol has it, every request has its own timeout, and nothing is retried: a retry would hide
 * the failure or the latency the gate is there to see.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { http1Target } from '../load/http1.ts';
import type { LoadTarget } from '../load/generate.ts';
import type { Outcome } from '../../core/probe-outcome.ts';
import { getErrorMessage } from '../../errors.ts';
import { parseJson } from '../tensor-json.ts';
import type { Feeds, ModelRunner, ModelSignature, Outputs, ProbeScenario } from '../types.ts';
import { RunnerRejectedError, RunnerTimeoutError } from '../types.ts';
import { protocolFor, type EndpointConfig, type Protocol } from './protocols.ts';
import { excerpt } from '../../redact.ts';

/** How much of a failed call's error body a message keeps. */
const CAUSE_MAX = 4000;

export interface ProbeResult {
  request: string;
  outcome: Outcome;
  detail: string;
}

export interface HttpAnswer {
  status: number;
  text: string;
}

/** A status outside 2xx and 4xx (a 5xx, a redirect): the server failed, it did not refuse. */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** A 4xx: the server refused the request, a clean rejection. */
export class HttpRejectedError extends RunnerRejectedError {
  override readonly name = 'HttpRejectedError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Why a request did not get an answer, in words a user can act on. */
export function describeNetworkError(error: unknown, url: string): string {
  const e = error as { code?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  const TLS = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;
  if (code === 'ECONNREFUSED') return `connection refused by ${url}: nothing listens there`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve the host of ${url}`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `${url} closed the connection`;
  if (code && TLS.test(code)) {
    const why = (e.cause?.message ?? getErrorMessage(error)).replace(/;.*$/, '');
    return `TLS error talking to ${url}: ${why} (${code}); if the server's certificate authority is yours, name its PEM file in NODE_EXTRA_CA_CERTS`;
  }
  return `${url}: ${getErrorMessage(error)}${code ? ` (${code})` : ''}`;
}

const isTimeout = (error: unknown) => {
  const name = (error as { name?: string })?.name;
  const code = (error as { code?: string })?.code;
  return name === 'TimeoutError' || name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
};

export interface HttpRunnerOptions {
  endpoint: EndpointConfig;
  /** Data columns in input order (MLflow's dataframe_split needs them); set after binding. */
  columns?: readonly string[];
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class HttpRunner implements ModelRunner {
  readonly kind = 'http';
  readonly target: string;
  signature: ModelSignature;
  /** What the server says about the model: hashed into the version when no file is given. */
  metadata: unknown = null;
  columns: readonly string[] | null = null;
  readonly #endpoint: EndpointConfig;
  readonly #protocol: Protocol;
  readonly #base: URL;
  readonly #dispatcher: Dispatcher;

  constructor(endpoint: EndpointConfig) {
    this.#endpoint = endpoint;
    this.#protocol = protocolFor(endpoint);
    this.#base = new URL(endpoint.url);
    this.target = `${endpoint.url} (${endpoint.protocol}${endpoint.name ? `, model ${endpoint.name}` : ''})`;
    // Keep-alive connections, as a client in production would hold them.
    this.#dispatcher = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
    // No metadata: one 2-D input, as wide as the data's feature columns.
    this.signature = { inputs: [{ name: 'input', dtype: 'float32', shape: ['N', null] }], outputs: [] };
  }

  get expresses(): { dtype: boolean; names: boolean; why: string } {
    return { ...this.#protocol.expresses, why: `the ${this.#endpoint.protocol} protocol's JSON rows` };
  }

  bindColumns(columns: readonly string[] | null): void {
    this.columns = columns;
  }

  get protocol(): Protocol {
    return this.#protocol;
  }

  url(path: string): string {
    return new URL(this.#base.pathname.replace(/\/+$/, '') + path, this.#base).toString();
  }

  /** One request, bounded by the endpoint's timeout; the answer whatever its status. */
  async send(method: 'GET' | 'POST', path: string, body?: string | Buffer, contentType = 'application/json', timeoutMs = this.#endpoint.timeout_ms): Promise<HttpAnswer> {
    const url = this.url(path);
    try {
      const res = await request(url, {
        method,
        dispatcher: this.#dispatcher,
        headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': contentType } : {}), ...this.#endpoint.headers },
        body,
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      return { status: res.statusCode, text: await res.body.text() };
    } catch (error) {
      if (isTimeout(error)) throw new RunnerTimeoutError(`${method} ${url} got no answer within ${timeoutMs} ms`, { cause: error });
      throw new Error(describeNetworkError(error, url), { cause: error });
    }
  }

  /** Waits until every readiness path answers 2xx, then reads the metadata. */
  async open(sleep: (ms: number) => Promise<void>, now: () => number): Promise<void> {
    const deadline = now() + this.#endpoint.ready_timeout_s * 1000;
    let last = 'no answer yet';
    for (;;) {
      let ready = true;
      for (const path of this.#protocol.readyPaths) {
        try {
          const r = await this.send('GET', path, undefined, undefined, Math.min(this.#endpoint.timeout_ms, 5000));
          if (r.status < 200 || r.status >= 300) {
            ready = false;
            last = `GET ${path} answered ${r.status}${r.text ? `: ${errorText(r.text)}` : ''}`;
            // Credentials do not fix themselves while we wait.
            if (r.status === 401 || r.status === 403) throw new Error(`${this.#endpoint.url} refused the credentials: ${last}`);
            break;
          }
        } catch (error) {
          if (/refused the credentials/.test(getErrorMessage(error))) throw error;
          ready = false;
          last = getErrorMessage(error);
          break;
        }
      }
      if (ready) break;
      if (now() >= deadline) throw new Error(`${this.#endpoint.url} was not ready within ${this.#endpoint.ready_timeout_s} s: ${last}`);
      await sleep(250);
    }
    if (this.#protocol.metadataPath) {
      const r = await this.send('GET', this.#protocol.metadataPath);
      if (r.status !== 200) throw new Error(`GET ${this.#protocol.metadataPath} answered ${r.status}: ${r.text.slice(0, 200)}`);
      try {
        this.metadata = parseJson(r.text);
      } catch (error) {
        throw new Error(`the model metadata at ${this.url(this.#protocol.metadataPath)} is not JSON: ${r.text.slice(0, 120)}`, { cause: error });
      }
      const sig = this.#protocol.signatureOf(this.metadata);
      if (!sig) throw new Error(`the model metadata at ${this.url(this.#protocol.metadataPath)} declares no inputs`);
      this.signature = sig;
    } else {
      this.metadata = { url: this.#endpoint.url, protocol: this.#endpoint.protocol };
    }
  }

  async infer(feeds: Feeds): Promise<Outputs> {
    const req = this.#protocol.encode(feeds, this.columns);
    const r = await this.send('POST', req.path, req.body);
    if (r.status >= 400 && r.status < 500) throw new HttpRejectedError(r.status, `HTTP ${r.status}: ${errorText(r.text, CAUSE_MAX)}`);
    // The whole cause (a server's traceback), not its first line.
    if (r.status < 200 || r.status >= 300) throw new HttpStatusError(r.status, `HTTP ${r.status}: ${errorText(r.text, CAUSE_MAX)}`);
    let answer: unknown;
    try {
      answer = parseJson(r.text);
    } catch {
      throw new Error(`the answer is not JSON: ${r.text.slice(0, 120)}`);
    }
    return this.#protocol.decode(answer, this.signature);
  }

  /** The HTTP-level error scenarios: what the server answers to requests no model should see. */
  async probe(scenario: ProbeScenario, good: Feeds, sizeMb: number): Promise<ProbeResult> {
    const path = this.#protocol.inferPath;
    let request: string;
    let answer: HttpAnswer;
    if (scenario === 'malformed_json') {
      request = 'a request whose body is not valid JSON';
      answer = await this.send('POST', path, '{"inputs": [{"name": ');
    } else if (scenario === 'wrong_content_type') {
      request = 'a valid body sent as text/plain';
      answer = await this.send('POST', path, this.#protocol.encode(good, this.columns).body, 'text/plain');
    } else {
      const bytes = Math.round(sizeMb * 2 ** 20);
      request = `a request of ${sizeMb} MB`;
      const body = Buffer.alloc(bytes, 0x20);
      body.write('{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[0]}],"padding":"');
      body.write('"}', bytes - 2);
      answer = await this.send('POST', path, body, 'application/json', Math.max(this.#endpoint.timeout_ms, 30_000));
    }
    const detail = `HTTP ${answer.status}${answer.text.trim() ? `: ${errorText(answer.text)}` : ' with no error body'}`;
    const outcome: Outcome = answer.status >= 500 ? 'server_error' : answer.status >= 400 ? (answer.text.trim() ? 'rejected' : 'no_error_body') : 'accepted';
    return { request, outcome, detail };
  }

  /** Requests for the load generator, encoded once: what is timed is the server, not our JSON. */
  loadTarget(feeds: Feeds[], _connections: number, now: () => number): LoadTarget {
    const requests = feeds.map((f) => this.#protocol.encode(f, this.columns));
    return http1Target(this.#endpoint.url, requests, this.#endpoint.headers, this.#endpoint.timeout_ms, now);
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }
}

/** The server's error message: `{"error": …}` (V2, TF Serving), `{"message": …}` (MLflow), else the text. */
export function errorText(text: string, max = 200): string {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const m = j.error ?? j.message ?? j.detail;
    if (typeof m === 'string') return excerpt(m, max);
  } catch {
    // not JSON: the text itself
  }
  return excerpt(text.trim(), max);
}

export async function openHttpRunner(endpoint: EndpointConfig, sleep: (ms: number) => Promise<void>, now: () => number): Promise<HttpRunner> {
  const runner = new HttpRunner(endpoint);
  try {
    await runner.open(sleep, now);
  } catch (error) {
    await runner.close().catch(() => undefined);
    throw error;
  }
  return runner;
}
