/**
 * Smoke: the model loads, answers one row and batches of the configured sizes, with outputs of the
 * declared types and shapes, and a batch gives the same answers as the same rows one by one.
 */
import { batchSkipReason, feedsFor } from '../data/features.ts';
import { batchSymbol, outputBatchAxis } from '../data/layout.ts';
import { getErrorMessage } from '../errors.ts';
import type { ModelSignature, Outputs } from '../runners/types.ts';
import { toNumbers } from '../runners/types.ts';
import type { CheckContext } from './context.ts';
import { outputsShapeLine, perRowOutputs } from './predictions.ts';
import { result, skipped, type CheckResult, type Severity } from '../core/check-result.ts';
import { round } from '../core/format.ts';

const CATEGORY = 'smoke';

export interface LoadOutcome {
  ok: boolean;
  ms: number;
  error: string | null;
}

export function judgeModelLoad(load: LoadOutcome, target: string, severity: Severity): CheckResult {
  return load.ok
    ? result({
        id: 'smoke.load',
        category: CATEGORY,
        severity,
        status: 'pass',
        value: round(load.ms),
        message: `loaded in ${round(load.ms)} ms`,
      })
    : result({
        id: 'smoke.load',
        category: CATEGORY,
        severity,
        status: 'fail',
        message: `${target} does not load: ${load.error}`,
      });
}

export async function runSmoke(ctx: CheckContext): Promise<CheckResult[]> {
  const cfg = ctx.config.checks.smoke;
  const { severity } = cfg;
  const checks: CheckResult[] = [];
  ctx.progress('smoke: single and batch inference');
  const attempt = async (id: string, n: number): Promise<Outputs | null> => {
    const skip = batchSkipReason(ctx.rows, n);
    if (skip) {
      checks.push(skipped(id, CATEGORY, 'info', `batch of ${n} not sent: ${skip}`));
      return null;
    }
    try {
      const out = await ctx.runner.infer(feedsFor(ctx.rows, 0, n));
      const problems = signatureProblems(ctx.runner.signature, out, n);
      checks.push(
        result({
          id,
          category: CATEGORY,
          severity,
          status: problems.length === 0 ? 'pass' : 'fail',
          value: n,
          message:
            problems.length === 0
              ? `${n === 1 ? '1 row' : `batch of ${n}`} -> ${outputsShapeLine(out)}`
              : `${n === 1 ? '1 row' : `batch of ${n}`}: ${problems.join('; ')}`,
        }),
      );
      return out;
    } catch (error) {
      checks.push(
        result({ id, category: CATEGORY, severity, status: 'fail', value: n, message: `inference failed: ${getErrorMessage(error)}` }),
      );
      return null;
    }
  };
  await attempt('smoke.single', ctx.rows.fixedBatch ?? 1);
  for (const n of cfg.batch_sizes.filter((b) => b > 1 && b !== ctx.rows.fixedBatch)) {
    const batch = await attempt(`smoke.batch_${n}`, n);
    if (batch) checks.push(await batchConsistency(ctx, batch, n));
  }
  return checks;
}

/** Output types and shapes against what the model declares. */
export function signatureProblems(signature: ModelSignature, outputs: Outputs, batch: number): string[] {
  const problems: string[] = [];
  const symbol = batchSymbol(signature.inputs);
  for (const spec of signature.outputs) {
    const t = outputs[spec.name];
    if (!t) {
      problems.push(`declared output "${spec.name}" is missing`);
      continue;
    }
    if (spec.dtype && t.dtype !== spec.dtype) problems.push(`"${spec.name}" is ${t.dtype}, declared ${spec.dtype}`);
    if (spec.shape.length > 0) {
      if (t.dims.length !== spec.shape.length) {
        problems.push(`"${spec.name}" has rank ${t.dims.length}, declared ${spec.shape.length}`);
        continue;
      }
      spec.shape.forEach((d, i) => {
        if (typeof d === 'number' && t.dims[i] !== d) {
          problems.push(`"${spec.name}" dimension ${i} is ${t.dims[i]}, declared ${d}`);
        }
      });
    }
    const perCall = spec.shape.length === t.dims.length && spec.shape.every((d, i) => d === t.dims[i]);
    if (outputBatchAxis(spec, t.dims, batch, symbol, signature.inputs) === null && !perCall) {
      problems.push(`"${spec.name}" has shape [${t.dims.join(', ')}]: no dim holds the batch of ${batch}`);
    }
  }
  return problems;
}

async function batchConsistency(ctx: CheckContext, batch: Outputs, n: number): Promise<CheckResult> {
  const { rtol, atol, severity } = ctx.config.checks.smoke;
  const id = `smoke.batch_${n}_consistency`;
  try {
    let worst = 0;
    let mismatched = 0;
    const examples: string[] = [];
    const batchRows = perRowOutputs(ctx.runner.signature, batch, n, n);
    for (let r = 0; r < n; r++) {
      const single = perRowOutputs(ctx.runner.signature, await ctx.runner.infer(feedsFor(ctx.rows, r, 1)), 1, 1);
      for (const [name, tensor] of Object.entries(batchRows)) {
        const b = toNumbers(tensor);
        const s = single[name] ? toNumbers(single[name]) : null;
        if (!b || !s) continue;
        const width = s.length;
        for (let j = 0; j < width; j++) {
          const x = b[r * width + j]!;
          const y = s[j]!;
          if (Number.isNaN(x) && Number.isNaN(y)) continue;
          const diff = Math.abs(x - y);
          if (!(diff <= atol + rtol * Math.abs(y))) {
            mismatched++;
            if (examples.length < 3) examples.push(`"${name}" row ${r}[${j}]: batch ${x} vs single ${y}`);
          }
          if (Number.isFinite(diff)) worst = Math.max(worst, diff);
        }
      }
    }
    return result({
      id,
      category: CATEGORY,
      severity,
      status: mismatched === 0 ? 'pass' : 'fail',
      value: worst,
      threshold: `|batch - single| <= ${atol} + ${rtol}·|single|`,
      message:
        mismatched === 0
          ? `batch of ${n} equals row-by-row results (largest difference ${worst.toExponential(2)})`
          : `batch of ${n} differs from row-by-row results in ${mismatched} values, e.g. ${examples.join('; ')}`,
    });
  } catch (error) {
    return result({ id, category: CATEGORY, severity, status: 'error', message: `row-by-row inference failed: ${getErrorMessage(error)}` });
  }
}

