/**
 * A stand-in for the Actions results service on loopback, enough for @actions/artifact's upload:
 * the Twirp calls CreateArtifact and FinalizeArtifact, and the blob storage the signed URL points
 * at (Put Block, Put Block List, as Azure's SDK sends them). The committed zip is kept for reading.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import AdmZip from 'adm-zip';

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService';
const RUN = 'c0ffee00-0000-4000-8000-000000000001';
const JOB = 'c0ffee00-0000-4000-8000-000000000002';

export interface StoredArtifact {
  id: number;
  name: string;
  size: number;
  hash: string | null;
  zip: Buffer | null;
}

export class FakeArtifactService {
  readonly artifacts: StoredArtifact[] = [];
  readonly violations: string[] = [];
  private blocks = new Map<string, Buffer>();
  private committed = new Map<string, Buffer>();
  private server: Server | null = null;
  url = '';

  /** The runtime token a job gets: a JWT whose scope names the run and job backends. */
  get runtimeToken(): string {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ scp: `Actions.GenericRead:x Actions.Results:${RUN}:${JOB}` })}.sig`;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const json = (code: number, value: unknown) => {
          res.writeHead(code, { 'content-type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        if (req.method === 'POST' && url.pathname.startsWith(`${SERVICE}/`)) {
          const call = JSON.parse(body.toString('utf8')) as Record<string, string>;
          if (call.workflow_run_backend_id !== RUN || call.workflow_job_run_backend_id !== JOB) this.violations.push(`${url.pathname}: wrong backend ids`);
          if (url.pathname.endsWith('/CreateArtifact')) {
            if (this.artifacts.some((a) => a.name === call.name)) return json(409, { code: 'already_exists', msg: 'an artifact with this name already exists on the workflow run' });
            const id = 9000 + this.artifacts.length;
            this.artifacts.push({ id, name: call.name!, size: 0, hash: null, zip: null });
            return json(200, { ok: true, signed_upload_url: `${this.url}/devstoreaccount1/actions-results/${id}.zip?sv=2023-01-03&sig=fake` });
          }
          if (url.pathname.endsWith('/FinalizeArtifact')) {
            const a = this.artifacts.find((x) => x.name === call.name);
            if (!a) return json(404, { code: 'not_found', msg: 'no such artifact' });
            a.size = Number(call.size);
            a.hash = (call.hash as unknown as string) ?? null;
            a.zip = this.committed.get(`${a.id}.zip`) ?? null;
            return json(200, { ok: true, artifact_id: String(a.id) });
          }
          return json(404, { code: 'bad_route', msg: url.pathname });
        }
        const blob = /^\/devstoreaccount1\/actions-results\/(.+)$/.exec(url.pathname)?.[1];
        if (req.method === 'PUT' && blob) {
          const comp = url.searchParams.get('comp');
          if (comp === 'block') {
            this.blocks.set(`${blob}:${url.searchParams.get('blockid')}`, body);
          } else if (comp === 'blocklist') {
            const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]+)<\//g)].map((m) => m[1]!);
            this.committed.set(blob, Buffer.concat(ids.map((id) => this.blocks.get(`${blob}:${id}`) ?? Buffer.alloc(0))));
          } else {
            this.committed.set(blob, body); // a single-shot Put Blob
          }
          res.writeHead(201, { etag: '"0x1"', 'last-modified': new Date().toUTCString(), 'x-ms-request-server-encrypted': 'true' });
          return res.end();
        }
        this.violations.push(`${req.method} ${url.pathname}: not a route of the results service or its blob storage`);
        json(404, {});
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** The files of an uploaded artifact, by name. */
  files(name: string): Map<string, Buffer> {
    const a = this.artifacts.find((x) => x.name === name);
    if (!a?.zip) return new Map();
    return new Map(new AdmZip(a.zip).getEntries().map((e) => [e.entryName, e.getData()]));
  }
}
