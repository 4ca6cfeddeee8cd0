/**
 * A model behind a command, as real processes: a child it forks that holds stdout must not keep
 * the gate waiting (it once waited 120 s), and a flood on stdout without a newline is an error
 * naming the command, not a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCommandRunner } from '../../src/runners/command.ts';

const NODE = resolve('node_modules/node/bin/node');
const CLI = resolve('src/cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'mg-command-'));

/** A JSON Lines model (one float output per row) that forks `sleep 120` onto its stdout first. */
const FORKING = `
import json, subprocess, sys
child = subprocess.Popen(['sleep', '120'])  # inherits stdout
open(sys.argv[1], 'w').write(str(child.pid))
print(json.dumps({"ready": True, "inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, 4]}],
                  "outputs": [{"name": "score", "datatype": "FP32", "shape": [-1, 1]}]}), flush=True)
for line in sys.stdin:
    req = json.loads(line)
    n = req["inputs"][0]["shape"][0]
    print(json.dumps({"id": req["id"], "outputs": [{"name": "score", "datatype": "FP32", "shape": [n, 1], "data": [0.5] * n}]}), flush=True)
`;
const forking = join(dir, 'forking.py');
writeFileSync(forking, FORKING);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return false;
  }
};

function gate(args: string[], timeout = 60_000) {
  const t0 = Date.now();
  const r = spawnSync(NODE, [CLI, 'validate', '--out', mkdtempSync(join(dir, 'out-')), ...args], { env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8', timeout, maxBuffer: 1 << 26 });
  return { ...r, ms: Date.now() - t0, text: `${r.stdout}\n${r.stderr}` };
}

describe('a command and what it forks', () => {
  it('close() ends the whole process group, including a child that holds stdout after the command exits', async () => {
    const pidFile = join(dir, 'runner.pid');
    const runner = await openCommandRunner({ run: `python3 ${forking} ${pidFile}`, ready_timeout_s: 20, timeout_ms: 5000 });
    const out = await runner.infer({ x: { type: 'float32', dims: [2, 4], data: new Float32Array(8) } } as never);
    expect(Object.keys(out)).toEqual(['score']);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);
    const t0 = Date.now();
    await runner.close();
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(alive(pid)).toBe(false);
  });

  it('the gate exits promptly although the forked child would hold stdout for 120 s', () => {
    const pidFile = join(dir, 'gate.pid');
    const r = gate(['--command', `python3 ${forking} ${pidFile}`]);
    expect(r.error, `the gate did not finish in time: ${r.text.slice(-500)}`).toBeUndefined();
    expect(r.ms).toBeLessThan(45_000);
    expect(r.text).toMatch(/checks passed|NO-GO|GO/);
    expect(existsSync(pidFile)).toBe(true);
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });
});

describe('a command that floods stdout without a newline', () => {
  const flood = join(dir, 'flood.py');
  writeFileSync(flood, `import sys\nchunk = 'x' * 65536\nwhile True:\n    sys.stdout.write(chunk)\n`);

  it('is an error naming the command and the bound, not a crash, and its process is ended', () => {
    const r = gate(['--command', `python3 ${flood}`]);
    expect(r.error, `the gate did not finish in time: ${r.text.slice(-500)}`).toBeUndefined();
    expect(r.text).toContain(`the command "python3 ${flood}" printed a line longer than 64 MiB on stdout without a newline`);
    expect(r.text).not.toMatch(/RangeError|Invalid string length|\n\s+at /);
    expect(r.status).not.toBe(0);
    expect(spawnSync('pgrep', ['-f', flood]).status).toBe(1); // no process left
  });

  it('honours model.command.max_line_mb', async () => {
    const runner = openCommandRunner({ run: `python3 ${flood}`, ready_timeout_s: 20, timeout_ms: 5000, max_line_mb: 1 });
    await expect(runner).rejects.toThrow(/printed a line longer than 1 MiB .*raise model\.command\.max_line_mb/);
  });
});
