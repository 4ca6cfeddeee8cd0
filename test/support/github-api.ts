/**
 * A stand-in for api.github.com on loopback that holds every request to GitHub's official OpenAPI
 * description (@octokit/openapi): an unknown route, a bad parameter or an invalid body is recorded
 * as a violation (and answered 404/422 as GitHub would), and so is any response of ours that the
 * description would not allow, so the stand-in cannot drift from the real API either.
 *
 * It keeps pull requests and their comments, pages lists with Link headers as GitHub does, tells
 * tokens apart (a user's, the workflow bot's, a fork's read-only one) and can inject faults.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { REPO } from './tracked-copy.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  operation: Operation;
}

let spec: { paths: Record<string, Record<string, Operation>> } | null = null;
let routes: Route[] = [];
const ajv = addFormats(new Ajv({ strict: false, allErrors: true, coerceTypes: false }));
const compiled = new WeakMap<Schema, ValidateFunction>();
/** `nullable` beside no `type` (in a few of GitHub's newer schemas, e.g. PATCH an issue) is OpenAPI's, not JSON Schema's: dropped there. */
const withoutStrayNullable = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(withoutStrayNullable);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (!(k === 'nullable' && !('type' in node))) out[k] = withoutStrayNullable(v);
  return out;
};
const check = (schema: Schema) => {
  let v = compiled.get(schema);
  if (!v) {
    try {
      v = ajv.compile(schema);
    } catch (error) {
      if (!/"nullable" cannot be used without "type"/.test(String(error))) throw error;
      v = ajv.compile(withoutStrayNullable(schema) as Schema);
    }
    compiled.set(schema, v);
  }
  return v;
};

function loadSpec(): void {
  if (spec) return;
  spec = JSON.parse(readFileSync(`${REPO}/node_modules/@octokit/openapi/generated/api.github.com.deref.json`, 'utf8'));
  for (const [template, item] of Object.entries(spec!.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const names: string[] = [];
      const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^}]+)\\?\}/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      routes.push({ method: method.toUpperCase(), template, pattern: new RegExp(`^${source}$`), names, operation: operation as Operation });
    }
  }
  // Literal segments win over parameters (`/issues/comments` before `/issues/{issue_number}`).
  routes = routes.sort((a, b) => a.names.length - b.names.length);
}

/** A minimal instance of a schema: required properties only, the first of a oneOf/anyOf. */
export function exampleOf(schema: Schema | undefined, depth = 0): unknown {
  if (!schema || depth > 12) return null;
  if (schema.enum) return (schema.enum as unknown[])[0];
  if (schema.oneOf) return exampleOf((schema.oneOf as Schema[])[0], depth + 1);
  if (schema.anyOf) return exampleOf((schema.anyOf as Schema[])[0], depth + 1);
  if (schema.allOf) return Object.assign({}, ...(schema.allOf as Schema[]).map((s) => exampleOf(s, depth + 1)));
  if (schema.nullable) return null;
  const type = Array.isArray(schema.type) ? (schema.type as string[]).find((t) => t !== 'null') : (schema.type as string | undefined);
  switch (type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      return Object.fromEntries(((schema.required ?? []) as string[]).map((k) => [k, exampleOf(props[k], depth + 1)]));
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return false;
    case 'string':
      if (schema.format === 'date-time') return '2026-11-22T00:00:00Z';
      if (schema.format === 'uri') return 'https://github.com/';
      if (schema.format === 'email') return 'octocat@example.com';
      return '';
    default:
      return null;
  }
}

export interface Identity {
  login: string;
  id: number;
  /** The workflow's GITHUB_TOKEN and App installation tokens may not call GET /user. */
  bot: boolean;
  /** A fork PR's token is read-only. */
  write: boolean;
}

interface StoredComment {
  id: number;
  issue: number;
  body: string;
  author: Identity;
  created_at: string;
  updated_at: string;
}

export interface Fault {
  method: string;
  path: RegExp;
  status: number;
  /** How many matching requests fail (then the route works again). */
  times: number;
  message?: string;
  headers?: Record<string, string>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

export class FakeGitHub {
  readonly prefix: string;
  readonly owner = 'acme';
  readonly repo = 'models';
  readonly tokens = new Map<string, Identity>();
  readonly pulls = new Map<number, { headSha: string }>();
  readonly artifacts: { runId: number; name: string; id: number }[] = [];
  /** Deployments, each with its statuses (oldest first). */
  readonly deployments: { id: number; ref: string; task: string; environment: string; payload: unknown; created_at: string; statuses: { id: number; state: string; description: string; log_url: string; created_at: string }[] }[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  /** Issues (the monitor's alert issue), by number; pull requests are `pulls`. */
  readonly issues = new Map<number, { title: string; body: string; state: 'open' | 'closed'; state_reason: string | null; labels: string[]; author: Identity; created_at: string; updated_at: string }>();
  private comments: StoredComment[] = [];
  private faults: Fault[] = [];
  private barriers: { method: string; path: RegExp; count: number; waiting: (() => void)[] }[] = [];
  private nextId = 1_000_000;
  private server: Server | null = null;
  url = '';

  /** `prefix` as on GitHub Enterprise Server, where the API lives under /api/v3. */
  constructor(prefix = '/api/v3') {
    this.prefix = prefix;
    loadSpec();
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const go = () => this.handle(req, res, Buffer.concat(chunks).toString('utf8'));
        const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.slice(this.prefix.length);
        const barrier = this.barriers.find((b) => b.method === req.method && b.path.test(path) && b.waiting.length < b.count);
        if (!barrier) return go();
        barrier.waiting.push(go);
        if (barrier.waiting.length === barrier.count) barrier.waiting.forEach((f) => f());
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.prefix}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  addToken(token: string, identity: Identity): void {
    this.tokens.set(token, identity);
  }

  fail(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  /** Holds the first `count` matching requests until all of them have arrived: a forced race. */
  holdUntil(method: string, path: RegExp, count: number): void {
    this.barriers.push({ method, path, count, waiting: [] });
  }

  /** Comments as GitHub would list them, oldest first. */
  commentsOn(issue: number): StoredComment[] {
    return this.comments.filter((c) => c.issue === issue).sort((a, b) => a.id - b.id);
  }

  /** Someone else's comment (a reviewer, another bot), to page through. */
  seedComment(issue: number, body: string, author: Identity): void {
    const now = new Date().toISOString();
    this.comments.push({ id: this.nextId++, issue, body, author, created_at: now, updated_at: now });
  }

  private user(identity: Identity) {
    // The comment's `user` is a nullable simple-user: an instance of the non-null side.
    const schema = this.schemaOf('/repos/{owner}/{repo}/issues/comments/{comment_id}', 'get', '200', ['user']);
    return {
      ...(exampleOf({ ...schema, nullable: false }) as object),
      login: identity.login,
      id: identity.id,
      type: identity.bot ? 'Bot' : 'User',
      html_url: identity.bot ? `https://github.com/apps/${identity.login.replace(/\[bot\]$/, '')}` : `https://github.com/${identity.login}`,
    };
  }

  private commentJson(c: StoredComment) {
    const base = `${this.url}/repos/${this.owner}/${this.repo}`;
    return {
      ...(exampleOf(this.schemaOf('/repos/{owner}/{repo}/issues/comments/{comment_id}', 'get', '200')) as object),
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${base}/issues/comments/${c.id}`,
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${base}/issues/${c.issue}`,
      body: c.body,
      user: this.user(c.author),
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: c.author.bot ? 'NONE' : 'MEMBER',
    };
  }

  private issueJson(number: number) {
    const i = this.issues.get(number)!;
    const schema = this.schemaOf('/repos/{owner}/{repo}/issues/{issue_number}', 'get', '200');
    const base = `${this.url}/repos/${this.owner}/${this.repo}`;
    const example = exampleOf(schema) as Record<string, unknown>;
    return {
      ...example,
      id: 500_000 + number,
      node_id: `I_${number}`,
      number,
      title: i.title,
      body: i.body,
      state: i.state,
      state_reason: i.state_reason ?? undefined,
      labels: i.labels.map((name, k) => ({ id: 7000 + k, node_id: `LA_${k}`, url: `${base}/labels/${encodeURIComponent(name)}`, name, color: 'ededed', default: false, description: null })),
      user: this.user(i.author),
      url: `${base}/issues/${number}`,
      html_url: `https://github.com/${this.owner}/${this.repo}/issues/${number}`,
      comments_url: `${base}/issues/${number}/comments`,
      comments: this.commentsOn(number).length,
      pull_request: undefined,
      closed_at: i.state === 'closed' ? i.updated_at : null,
      created_at: i.created_at,
      updated_at: i.updated_at,
      author_association: i.author.bot ? 'NONE' : 'MEMBER',
    };
  }

  private deploymentJson(d: FakeGitHub['deployments'][number]) {
    const schema = this.schemaOf('/repos/{owner}/{repo}/deployments/{deployment_id}', 'get', '200');
    return {
      ...(exampleOf(schema) as object),
      id: d.id,
      node_id: `DE_${d.id}`,
      url: `${this.url}/repos/${this.owner}/${this.repo}/deployments/${d.id}`,
      statuses_url: `${this.url}/repos/${this.owner}/${this.repo}/deployments/${d.id}/statuses`,
      repository_url: `${this.url}/repos/${this.owner}/${this.repo}`,
      sha: d.ref,
      ref: d.ref,
      task: d.task,
      environment: d.environment,
      original_environment: d.environment,
      payload: d.payload,
      creator: this.user(this.tokens.values().next().value!),
      created_at: d.created_at,
      updated_at: d.created_at,
    };
  }

  private statusJson(d: FakeGitHub['deployments'][number], st: FakeGitHub['deployments'][number]['statuses'][number]) {
    const schema = this.schemaOf('/repos/{owner}/{repo}/deployments/{deployment_id}/statuses/{status_id}', 'get', '200');
    return {
      ...(exampleOf(schema) as object),
      id: st.id,
      node_id: `DES_${st.id}`,
      url: `${this.url}/repos/${this.owner}/${this.repo}/deployments/${d.id}/statuses/${st.id}`,
      deployment_url: `${this.url}/repos/${this.owner}/${this.repo}/deployments/${d.id}`,
      repository_url: `${this.url}/repos/${this.owner}/${this.repo}`,
      state: st.state,
      description: st.description,
      environment: d.environment,
      log_url: st.log_url || undefined,
      target_url: st.log_url || '',
      creator: this.user(this.tokens.values().next().value!),
      created_at: st.created_at,
      updated_at: st.created_at,
    };
  }

  private schemaOf(template: string, method: string, status: string, path: string[] = []): Schema | undefined {
    let schema = spec!.paths[template]?.[method]?.responses[status]?.content?.['application/json']?.schema;
    for (const key of path) schema = (schema?.properties as Record<string, Schema> | undefined)?.[key];
    return schema;
  }

  private handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    let status = 500;
    let parsedBody: unknown = null;
    const send = (code: number, body: unknown, headers: Record<string, string> = {}) => {
      status = code;
      res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    const error = (code: number, message: string, headers: Record<string, string> = {}) =>
      send(code, { message, documentation_url: 'https://docs.github.com/rest', status: String(code) }, headers);
    try {
      if (!url.pathname.startsWith(`${this.prefix}/`)) {
        this.violations.push(`${method} ${url.pathname}: outside the API prefix ${this.prefix} (GITHUB_API_URL not honoured)`);
        return error(404, 'Not Found');
      }
      const path = url.pathname.slice(this.prefix.length);
      const route = routes.find((r) => r.method === method && r.pattern.test(path));
      if (!route) {
        this.violations.push(`${method} ${path}: no such route in GitHub's OpenAPI description`);
        return error(404, 'Not Found');
      }
      const params = this.checkRequest(route, path, url, raw, method);
      parsedBody = params.body;
      const identity = this.tokens.get((req.headers.authorization ?? '').replace(/^(token|bearer) /i, ''));
      if (!identity) return error(401, 'Bad credentials');
      const fault = this.faults.find((f) => f.method === method && f.path.test(path) && f.times > 0);
      if (fault) {
        fault.times--;
        return error(fault.status, fault.message ?? 'Server Error', fault.headers);
      }
      const reply = this.route(route, params.path, params.query, params.body, identity, url);
      if (reply.status < 300 && reply.body !== undefined) this.checkResponse(route, reply.status, reply.body);
      return send(reply.status, reply.body, reply.headers);
    } finally {
      this.requests.push({ method, path: url.pathname.slice(this.prefix.length), status, body: parsedBody });
    }
  }

  private checkRequest(route: Route, path: string, url: URL, raw: string, method: string) {
    const where = `${method} ${route.template}`;
    const values = route.pattern.exec(path)!.slice(1).map(decodeURIComponent);
    const pathParams = Object.fromEntries(route.names.map((n, i) => [n, values[i]!]));
    const declared = route.operation.parameters ?? [];
    const coerce = (schema: Schema | undefined, v: string): unknown => (schema?.type === 'integer' || schema?.type === 'number' ? (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v) : schema?.type === 'boolean' ? v === 'true' ? true : v === 'false' ? false : v : v);
    const typed: Record<string, Record<string, unknown>> = { path: {}, query: {} };
    for (const p of declared.filter((d) => d.in === 'path')) {
      const v = coerce(p.schema, pathParams[p.name] ?? '');
      if (p.schema && !check(p.schema)(v)) this.violations.push(`${where}: path parameter ${p.name}=${pathParams[p.name]} is invalid`);
      typed.path![p.name] = v;
    }
    for (const [name, v] of url.searchParams) {
      const p = declared.find((d) => d.in === 'query' && d.name === name);
      if (!p) {
        this.violations.push(`${where}: unknown query parameter ${name}`);
        continue;
      }
      const value = coerce(p.schema, v);
      if (p.schema && !check(p.schema)(value)) this.violations.push(`${where}: query parameter ${name}=${v} is invalid`);
      typed.query![name] = value;
    }
    for (const p of declared.filter((d) => d.in === 'query' && d.required)) {
      if (!url.searchParams.has(p.name)) this.violations.push(`${where}: required query parameter ${p.name} missing`);
    }
    const bodySpec = route.operation.requestBody;
    let body: unknown = null;
    if (raw !== '') {
      const schema = bodySpec?.content?.['application/json']?.schema;
      if (!bodySpec) this.violations.push(`${where}: takes no request body, got ${raw.slice(0, 80)}`);
      try {
        body = JSON.parse(raw);
      } catch {
        this.violations.push(`${where}: request body is not JSON`);
      }
      if (schema && !check(schema)(body)) {
        this.violations.push(`${where}: invalid request body: ${ajv.errorsText(check(schema).errors?.slice(0, 3))}`);
      }
    } else if (bodySpec?.required) {
      this.violations.push(`${where}: request body required`);
    }
    return { path: typed.path!, query: typed.query!, body };
  }

  private checkResponse(route: Route, status: number, body: unknown): void {
    const schema = route.operation.responses[String(status)]?.content?.['application/json']?.schema;
    if (!route.operation.responses[String(status)]) {
      this.violations.push(`${route.method} ${route.template}: the description has no ${status} response (fake is wrong)`);
    } else if (schema && !check(schema)(body)) {
      this.violations.push(`${route.method} ${route.template}: our ${status} response breaks the description: ${ajv.errorsText(check(schema).errors?.slice(0, 3))}`);
    }
  }

  private route(
    route: Route,
    path: Record<string, unknown>,
    query: Record<string, unknown>,
    body: unknown,
    who: Identity,
    url: URL,
  ): { status: number; body?: unknown; headers?: Record<string, string> } {
    const forbidden = { status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' } };
    const notFound = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' } };
    if (path.owner !== undefined && (path.owner !== this.owner || path.repo !== this.repo)) return notFound;
    const now = new Date().toISOString();
    const key = `${route.method} ${route.template}`;
    switch (key) {
      case 'GET /user':
        if (who.bot) return forbidden;
        return { status: 200, body: { ...(exampleOf(this.schemaOf('/user', 'get', '200')) as object), ...this.user(who) } };
      case 'GET /repos/{owner}/{repo}/issues': {
        const wanted = query.labels === undefined ? [] : String(query.labels).split(',');
        const state = String(query.state ?? 'open');
        const all = [...this.issues.entries()]
          .filter(([, i]) => (state === 'all' || i.state === state) && wanted.every((l) => i.labels.includes(l)))
          .map(([n]) => n)
          .sort((a, b) => (query.direction === 'asc' ? a - b : b - a));
        const perPage = Math.min(Math.max(Number(query.per_page ?? 30), 1), 100);
        const page = Math.max(Number(query.page ?? 1), 1);
        const last = Math.max(Math.ceil(all.length / perPage), 1);
        const link = (p: number, rel: string) => {
          const u = new URL(url.toString());
          u.searchParams.set('per_page', String(perPage));
          u.searchParams.set('page', String(p));
          return `<${this.url.replace(this.prefix, '')}${u.pathname}${u.search}>; rel="${rel}"`;
        };
        const links = page < last ? [link(page + 1, 'next'), link(last, 'last')] : [];
        return { status: 200, body: all.slice((page - 1) * perPage, page * perPage).map((n) => this.issueJson(n)), headers: links.length > 0 ? { link: links.join(', ') } : {} };
      }
      case 'POST /repos/{owner}/{repo}/issues': {
        if (!who.write) return forbidden;
        const b = body as { title: string; body?: string; labels?: (string | { name?: string })[] };
        if ((b.body ?? '').length > 65_536) {
          return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Issue', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }], documentation_url: 'https://docs.github.com/rest', status: '422' } };
        }
        const number = Math.max(0, ...this.pulls.keys(), ...this.issues.keys()) + 1;
        this.issues.set(number, { title: String(b.title), body: b.body ?? '', state: 'open', state_reason: null, labels: (b.labels ?? []).map((l) => (typeof l === 'string' ? l : String(l.name))), author: who, created_at: now, updated_at: now });
        return { status: 201, body: this.issueJson(number), headers: { location: `${this.url}/repos/${this.owner}/${this.repo}/issues/${number}` } };
      }
      case 'PATCH /repos/{owner}/{repo}/issues/{issue_number}': {
        const number = path.issue_number as number;
        const i = this.issues.get(number);
        if (!i) return notFound;
        if (!who.write) return forbidden;
        const b = body as { title?: string; body?: string; state?: 'open' | 'closed'; state_reason?: string | null };
        if ((b.body ?? '').length > 65_536) {
          return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Issue', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }], documentation_url: 'https://docs.github.com/rest', status: '422' } };
        }
        if (b.title !== undefined) i.title = b.title;
        if (b.body !== undefined) i.body = b.body;
        if (b.state !== undefined) {
          i.state = b.state;
          i.state_reason = b.state_reason ?? (b.state === 'closed' ? 'completed' : 'reopened');
        }
        i.updated_at = now;
        return { status: 200, body: this.issueJson(number) };
      }
      case 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': {
        const issue = path.issue_number as number;
        if (!this.pulls.has(issue) && !this.issues.has(issue)) return notFound;
        const all = this.commentsOn(issue);
        const perPage = Math.min(Math.max(Number(query.per_page ?? 30), 1), 100);
        const page = Math.max(Number(query.page ?? 1), 1);
        const last = Math.max(Math.ceil(all.length / perPage), 1);
        const link = (p: number, rel: string) => {
          const u = new URL(url.toString());
          u.searchParams.set('per_page', String(perPage));
          u.searchParams.set('page', String(p));
          return `<${this.url.replace(this.prefix, '')}${u.pathname}${u.search}>; rel="${rel}"`;
        };
        const links = [...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []), ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : [])];
        return { status: 200, body: all.slice((page - 1) * perPage, page * perPage).map((c) => this.commentJson(c)), headers: links.length > 0 ? { link: links.join(', ') } : {} };
      }
      case 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': {
        const issue = path.issue_number as number;
        if (!this.pulls.has(issue) && !this.issues.has(issue)) return notFound;
        if (!who.write) return forbidden;
        const c: StoredComment = { id: this.nextId++, issue, body: (body as { body: string }).body, author: who, created_at: now, updated_at: now };
        if (c.body.length > 65_536) {
          return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }], documentation_url: 'https://docs.github.com/rest', status: '422' } };
        }
        this.comments.push(c);
        return { status: 201, body: this.commentJson(c), headers: { location: this.commentJson(c).url } };
      }
      case 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': {
        const c = this.comments.find((x) => x.id === path.comment_id);
        if (!c) return notFound;
        if (!who.write || c.author.login !== who.login) return forbidden;
        const text = (body as { body: string }).body;
        if (text.length > 65_536) {
          return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }], documentation_url: 'https://docs.github.com/rest', status: '422' } };
        }
        c.body = text;
        c.updated_at = now;
        return { status: 200, body: this.commentJson(c) };
      }
      case 'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}': {
        const i = this.comments.findIndex((x) => x.id === path.comment_id);
        if (i < 0) return notFound;
        if (!who.write || this.comments[i]!.author.login !== who.login) return forbidden;
        this.comments.splice(i, 1);
        return { status: 204 };
      }
      case 'GET /repos/{owner}/{repo}/pulls/{pull_number}': {
        const pr = this.pulls.get(path.pull_number as number);
        if (!pr) return notFound;
        const pull = exampleOf(this.schemaOf('/repos/{owner}/{repo}/pulls/{pull_number}', 'get', '200')) as Record<string, Record<string, unknown>>;
        return { status: 200, body: { ...pull, number: path.pull_number, state: 'open', head: { ...pull.head, sha: pr.headSha } } };
      }
      case 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts': {
        const found = this.artifacts.filter((a) => a.runId === path.run_id && (query.name === undefined || a.name === query.name));
        const item = exampleOf(this.schemaOf('/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts', 'get', '200', ['artifacts']) && (this.schemaOf('/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts', 'get', '200', ['artifacts'])!.items as Schema)) as object;
        return { status: 200, body: { total_count: found.length, artifacts: found.map((a) => ({ ...item, id: a.id, name: a.name })) } };
      }
      case 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls': {
        const schema = this.schemaOf('/repos/{owner}/{repo}/commits/{commit_sha}/pulls', 'get', '200');
        const item = exampleOf((schema?.items as Schema) ?? {}) as Record<string, unknown>;
        const found = [...this.pulls].filter(([, pr]) => pr.headSha === path.commit_sha);
        return { status: 200, body: found.map(([number]) => ({ ...item, number, state: 'closed', html_url: `https://github.com/${this.owner}/${this.repo}/pull/${number}` })) };
      }
      case 'POST /repos/{owner}/{repo}/deployments': {
        if (!who.write) return forbidden;
        const b = body as { ref: string; task?: string; environment?: string; payload?: unknown };
        const d = { id: this.nextId++, ref: b.ref, task: b.task ?? 'deploy', environment: b.environment ?? 'production', payload: b.payload ?? {}, created_at: now, statuses: [] };
        this.deployments.push(d);
        return { status: 201, body: this.deploymentJson(d) };
      }
      case 'GET /repos/{owner}/{repo}/deployments': {
        const found = this.deployments
          .filter((d) => (query.environment === undefined || d.environment === query.environment) && (query.task === undefined || d.task === query.task))
          .reverse()
          .slice(0, Number(query.per_page ?? 30));
        return { status: 200, body: found.map((d) => this.deploymentJson(d)) };
      }
      case 'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': {
        if (!who.write) return forbidden;
        const d = this.deployments.find((x) => x.id === path.deployment_id);
        if (!d) return notFound;
        const b = body as { state: string; description?: string; log_url?: string };
        const st = { id: this.nextId++, state: b.state, description: b.description ?? '', log_url: b.log_url ?? '', created_at: now };
        d.statuses.push(st);
        return { status: 201, body: this.statusJson(d, st) };
      }
      case 'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': {
        const d = this.deployments.find((x) => x.id === path.deployment_id);
        if (!d) return notFound;
        return { status: 200, body: [...d.statuses].reverse().slice(0, Number(query.per_page ?? 30)).map((st) => this.statusJson(d, st)) };
      }
      default:
        this.violations.push(`${key}: a valid route this stand-in does not serve; add it`);
        return notFound;
    }
  }
}
