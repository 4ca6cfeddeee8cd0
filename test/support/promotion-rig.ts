/**
 * The loopback rig of the promotion end-to-end tests, all real: two model servers (stable: the
 * baseline ONNX model, canary: the candidate) exporting request counters and latency histograms,
 * a real nginx splitting traffic by weight (reloaded by examples/promotion/nginx-weight.sh), a real
 * Prometheus scraping both servers every second, each labelled with its version, and a bounded
 * load generator. Ports are free ones; `stop` ends every process it started.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './tracked-copy.ts';
// @ts-expect-error: a plain JavaScript script, shared with `npm test`
import { which } from '../../scripts/test-tools.mjs';
// @ts-expect-error: the example server is plain JavaScript
import { startServer } from '../../examples/serving/onnx-server.mjs';

export interface Served {
  url: string;
  set(o: object): void;
  close(): Promise<void>;
}

/** The traffic command the rig's nginx is driven by: `<WEIGHT_SCRIPT> <canary weight>`. */
export const WEIGHT_SCRIPT = join(REPO, 'examples/promotion/nginx-weight.sh');

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Polls `probe` every 100 ms until it gives a value (errors count as not yet), at most `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | null> | T | null, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v !== null && v !== undefined && v !== false) return v;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface PromotionRig {
  /** A temp dir of the rig's own (configs may go there too). */
  dir: string;
  stable: Served;
  canary: Served;
  /** nginx, in front of both servers. */
  proxy: string;
  prometheusUrl: string;
  /** The environment the weight script needs. */
  nginxEnv: Record<string, string>;
  /** The canary's weight as nginx's upstream file says it. */
  canaryWeight(): number;
  /** `rate` inference requests per second through nginx until stopped. */
  load(rate: number): { stop(): void; sent(): number };
  stop(): Promise<void>;
}

export async function startPromotionRig(prefix: string): Promise<PromotionRig> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const children: ChildProcess[] = [];
  const stable = (await startServer({ model: join(REPO, 'examples/iris/baseline.onnx'), name: 'iris' })) as Served;
  const canary = (await startServer({ model: join(REPO, 'examples/iris/model.onnx'), name: 'iris' })) as Served;
  const nginxBin = (which('nginx') as string | null) ?? '';
  const prometheusBin = (which('prometheus') as string | null) ?? '';

  // nginx: a weighted upstream, all on stable to begin with.
  const ngx = join(dir, 'nginx');
  mkdirSync(ngx, { recursive: true });
  const upstreamFile = join(ngx, 'upstream.conf');
  const port = await freePort();
  const proxy = `http://127.0.0.1:${port}`;
  const conf = join(ngx, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;\ndaemon off;\npid ${ngx}/nginx.pid;\nerror_log ${ngx}/error.log;\nevents { worker_connections 1024; }\nhttp {\n  access_log off;\n  client_body_temp_path ${ngx}/body;\n  proxy_temp_path ${ngx}/proxy;\n  fastcgi_temp_path ${ngx}/fastcgi;\n  uwsgi_temp_path ${ngx}/uwsgi;\n  scgi_temp_path ${ngx}/scgi;\n  include ${upstreamFile};\n  server {\n    listen 127.0.0.1:${port};\n    location / { proxy_pass http://model_backend; proxy_http_version 1.1; proxy_set_header Connection ""; }\n  }\n}\n`,
  );
  const nginxEnv = {
    NGINX_UPSTREAM_FILE: upstreamFile,
    NGINX_STABLE: stable.url.replace('http://', ''),
    NGINX_CANARY: canary.url.replace('http://', ''),
    NGINX_RELOAD: `${nginxBin} -c ${conf} -p ${ngx} -s reload`,
  };
  spawnSync('sh', [WEIGHT_SCRIPT, '0'], { env: { ...process.env, ...nginxEnv, NGINX_RELOAD: 'true' }, timeout: 10_000 });
  children.push(spawn(nginxBin, ['-c', conf, '-p', ngx], { stdio: 'ignore' }));
  await until('nginx', async () => (await fetch(`${proxy}/v2/health/ready`)).ok);

  // Prometheus scraping both servers every second, each labelled with its version.
  const prom = join(dir, 'prometheus');
  mkdirSync(prom, { recursive: true });
  const promPort = await freePort();
  const prometheusUrl = `http://127.0.0.1:${promPort}`;
  writeFileSync(
    join(prom, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: model\n    static_configs:\n      - targets: ['${stable.url.replace('http://', '')}']\n        labels: { version: stable }\n      - targets: ['${canary.url.replace('http://', '')}']\n        labels: { version: canary }\n`,
  );
  children.push(spawn(prometheusBin, [`--config.file=${join(prom, 'prometheus.yml')}`, `--storage.tsdb.path=${join(prom, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=error'], { stdio: 'ignore' }));
  await until('prometheus', async () => (await fetch(`${prometheusUrl}/-/ready`)).ok, 30_000);

  const canaryWeight = () => {
    const text = readFileSync(upstreamFile, 'utf8');
    const m = /server \S+ weight=(\d+);\n {2}server \S+ (?:weight=(\d+)|down);/.exec(text);
    return m ? Number(m[2] ?? 0) : text.includes(`server ${nginxEnv.NGINX_STABLE} down`) ? 100 : 0;
  };
  const load = (rate: number) => {
    const body = JSON.stringify({ inputs: [{ name: 'float_input', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] });
    let sent = 0;
    const timer = setInterval(() => {
      for (let i = 0; i < rate / 50; i++) {
        sent++;
        fetch(`${proxy}/v2/models/iris/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.arrayBuffer(), () => undefined);
      }
    }, 20);
    return { stop: () => clearInterval(timer), sent: () => sent };
  };
  const stop = async () => {
    for (const c of children) c.kill('SIGTERM');
    await stable.close();
    await canary.close();
  };
  return { dir, stable, canary, proxy, prometheusUrl, nginxEnv, canaryWeight, load, stop };
}
