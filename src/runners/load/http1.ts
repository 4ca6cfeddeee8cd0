/**
 * The load generator's HTTP/1.1 client: keep-alive connections, one request in flight on each,
 * requests serialized once and written as bytes, answers read only as far as the status line
 * and the body's length. A general-purpose client (undici, fetch) spends more per request than a
 * small server does; this one keeps the generator from being what is measured.
 */
import { connect as tcp, type Socket } from 'node:net';
import { connect as tls } from 'node:tls';
import type { Sent } from './generate.ts';

export interface PreparedRequest {
  path: string;
  body: string;
}

/** A target driven by callbacks: no promise per request. */
export interface CallbackTarget {
  send(i: number, done: (sent: Sent) => void): void;
  close(): Promise<void>;
}

const CRLF2 = Buffer.from('\r\n\r\n');

class Connection {
  socket: Socket;
  busy = false;
  started = 0;
  done: ((sent: Sent) => void) | null = null;
  #chunks: Buffer[] = [];
  #size = 0;
  #closed = false;
  readonly #pool: Http1Pool;

  constructor(pool: Http1Pool) {
    this.#pool = pool;
    const { url } = pool;
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    this.socket = url.protocol === 'https:' ? tls({ host: url.hostname, port, servername: url.hostname }) : tcp({ host: url.hostname, port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (d: Buffer) => this.#data(d));
    this.socket.on('error', (e: NodeJS.ErrnoException) => this.#fail(e.code ?? 'error'));
    this.socket.on('close', () => this.#fail('ECONNRESET'));
  }

  write(request: Buffer, done: (sent: Sent) => void, now: number): void {
    this.busy = true;
    this.started = now;
    this.done = done;
    this.socket.write(request);
  }

  /** Ends a request that outlived the timeout: the connection cannot be reused. */
  timeout(): void {
    this.#fail('timeout');
  }

  #finish(sent: Sent, reusable: boolean): void {
    const done = this.done;
    this.busy = false;
    this.done = null;
    this.#chunks = [];
    this.#size = 0;
    if (reusable) this.#pool.idle.push(this);
    else this.#close();
    done?.(sent);
  }

  #fail(status: string): void {
    if (this.#closed) return;
    if (this.busy) this.#finish({ ok: false, status }, false);
    else this.#close();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pool.all.delete(this);
    const i = this.#pool.idle.indexOf(this);
    if (i >= 0) this.#pool.idle.splice(i, 1);
    this.socket.destroy();
  }

  #data(d: Buffer): void {
    if (!this.busy) return;
    // Most answers arrive in one piece: no copying then.
    let buf = d;
    if (this.#size > 0) {
      this.#chunks.push(d);
      buf = Buffer.concat(this.#chunks, this.#size + d.length);
      this.#chunks = [buf];
    }
    this.#size = buf.length;
    const headEnd = buf.indexOf(CRLF2);
    if (headEnd < 0) return this.#keep(buf);
    const head = parseHead(buf.toString('latin1', 0, headEnd));
    let complete: boolean;
    if (head.length >= 0) complete = buf.length >= headEnd + 4 + head.length;
    else if (head.chunked) complete = chunkedEnd(buf, headEnd + 4);
    else complete = false; // no length: the body ends with the connection, which closes it
    if (!complete) return this.#keep(buf);
    this.#finish(head.sent, !head.close);
  }

  #keep(buf: Buffer): void {
    this.#chunks = [buf];
    this.#size = buf.length;
  }
}

const CONTENT_LENGTH = /\r\ncontent-length: *(\d+)/i;
const CHUNKED = /\r\ntransfer-encoding: *chunked/i;
const CLOSE = /\r\nconnection: *close/i;

interface Head {
  sent: Sent;
  /** -1 when the head names no length. */
  length: number;
  chunked: boolean;
  close: boolean;
}

// A server under load answers with the same head again and again: parse each distinct one once.
let lastText = '';
let lastHead: Head | null = null;
function parseHead(text: string): Head {
  if (text === lastText && lastHead) return lastHead;
  const status = Number(text.slice(9, 12));
  const length = CONTENT_LENGTH.exec(text);
  lastText = text;
  lastHead = {
    sent: { ok: status >= 200 && status < 300, status: String(status) },
    length: length ? Number(length[1]) : -1,
    chunked: CHUNKED.test(text),
    close: CLOSE.test(text),
  };
  return lastHead;
}

/** Whether a chunked body starting at `from` is complete in `buf`. */
function chunkedEnd(buf: Buffer, from: number): boolean {
  let at = from;
  for (;;) {
    const eol = buf.indexOf('\r\n', at, 'latin1');
    if (eol < 0) return false;
    const size = parseInt(buf.toString('latin1', at, eol), 16);
    if (Number.isNaN(size)) return false;
    if (size === 0) return buf.indexOf(CRLF2, eol) >= 0 || buf.length >= eol + 4;
    at = eol + 2 + size + 2;
    if (at > buf.length) return false;
  }
}

class Http1Pool implements CallbackTarget {
  readonly url: URL;
  readonly idle: Connection[] = [];
  readonly all = new Set<Connection>();
  readonly #requests: Buffer[];
  readonly #timer: NodeJS.Timeout;
  readonly #now: () => number;

  constructor(url: URL, requests: PreparedRequest[], headers: Record<string, string>, timeoutMs: number, now: () => number) {
    this.url = url;
    this.#now = now;
    const prefix = url.pathname.replace(/\/+$/, '');
    const extra = Object.entries({ 'content-type': 'application/json', accept: 'application/json', ...headers })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    this.#requests = requests.map((r) => {
      const body = Buffer.from(r.body);
      return Buffer.concat([Buffer.from(`POST ${prefix}${r.path} HTTP/1.1\r\nhost: ${url.host}\r\n${extra}content-length: ${body.length}\r\n\r\n`, 'latin1'), body]);
    });
    // One sweep for every connection, not a timer per request.
    this.#timer = setInterval(() => {
      const limit = this.#now() - timeoutMs;
      for (const c of this.all) if (c.busy && c.started < limit) c.timeout();
    }, Math.min(100, timeoutMs / 2));
    this.#timer.unref();
  }

  send(i: number, done: (sent: Sent) => void): void {
    let c = this.idle.pop();
    if (!c) {
      c = new Connection(this);
      this.all.add(c);
    }
    c.write(this.#requests[i % this.#requests.length]!, done, this.#now());
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    for (const c of [...this.all]) c.socket.destroy();
    this.all.clear();
    this.idle.length = 0;
  }
}

export function http1Target(url: string, requests: PreparedRequest[], headers: Record<string, string>, timeoutMs: number, now: () => number): CallbackTarget {
  return new Http1Pool(new URL(url), requests, headers, timeoutMs, now);
}
