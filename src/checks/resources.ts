/**
 * Resources: the memory a run took, a deployment criterion teams write down. Peak resident memory
 * of the gate plus that of the process the model runs in (the ONNX child, the command's process
 * group), and the model process's growth over the latency loop, where a leak shows. Reported as
 * information; a limit in `checks.resources` makes a value over it fail.
 */
import type { ResourceLimits } from '../config/types.ts';
import type { ModelMemory, ModelRunner } from '../runners/types.ts';
import type { CheckContext } from './context.ts';
import { result, type CheckResult } from '../core/check-result.ts';
import { round } from '../core/format.ts';

const CATEGORY = 'resources';

/** What the run measured, in MiB; null where the runner cannot see the model's process. */
export interface ResourceUsage {
  gatePeakMb: number;
  model: ModelMemory | null;
  /** The model's resident memory before and after the latency loop (null: not measured). */
  latency: { beforeMb: number; afterMb: number } | null;
  /** Why the model's memory is not measured (an endpoint runs elsewhere). */
  modelUnseen: string | null;
}

/** The model process's memory, or null when the runner cannot say (or saying fails). */
export async function modelMemory(runner: ModelRunner): Promise<ModelMemory | null> {
  try {
    return (await runner.memory?.()) ?? null;
  } catch {
    return null;
  }
}

export async function measureResources(ctx: CheckContext, latency: { before: ModelMemory | null; after: ModelMemory | null } | undefined): Promise<ResourceUsage> {
  const model = await modelMemory(ctx.runner);
  return {
    // ru_maxrss is in KiB on Linux and macOS alike (Node normalises it).
    gatePeakMb: process.resourceUsage().maxRSS / 1024,
    model,
    latency: latency?.before && latency.after ? { beforeMb: latency.before.rssMb, afterMb: latency.after.rssMb } : null,
    modelUnseen: model ? null : ctx.runner.memory ? 'the model process reported no memory figures' : `the model runs outside this machine's view (${ctx.runner.kind})`,
  };
}

/** The checklist items for the figures measured: pure. */
export function judgeResources(usage: ResourceUsage, limits: ResourceLimits, latencyRan: boolean): CheckResult[] {
  const checks: CheckResult[] = [];
  const peak = usage.gatePeakMb + (usage.model?.peakMb ?? 0);
  const parts = `the gate ${Math.round(usage.gatePeakMb)} MiB${usage.model ? ` + the model's process ${Math.round(usage.model.peakMb)} MiB` : ` (the model's process not included: ${usage.modelUnseen})`}`;
  checks.push(judged('resources.peak_rss_mb', peak, limits.max_rss_mb, 'max_rss_mb', limits, `peak resident memory ${Math.round(peak)} MiB: ${parts}`));
  if (!latencyRan) {
    checks.push(result({ id: 'resources.rss_growth_mb', category: CATEGORY, severity: 'info', status: 'skip', message: 'memory growth not measured: the latency checks did not run' }));
  } else if (!usage.latency) {
    checks.push(result({ id: 'resources.rss_growth_mb', category: CATEGORY, severity: limits.max_rss_growth_mb === null ? 'info' : limits.severity, status: 'skip', message: `memory growth over the latency loop not measured: ${usage.modelUnseen ?? 'the model process reported no memory figures'}` }));
  } else {
    const growth = usage.latency.afterMb - usage.latency.beforeMb;
    checks.push(
      judged(
        'resources.rss_growth_mb',
        growth,
        limits.max_rss_growth_mb,
        'max_rss_growth_mb',
        limits,
        `the model's resident memory went from ${Math.round(usage.latency.beforeMb)} to ${Math.round(usage.latency.afterMb)} MiB over the latency loop (${growth >= 0 ? '+' : ''}${round(growth, 1)} MiB)`,
      ),
    );
  }
  return checks;
}

function judged(id: string, value: number, limit: number | null, key: string, limits: ResourceLimits, message: string): CheckResult {
  if (limit === null) return result({ id, category: CATEGORY, severity: 'info', status: 'pass', value: round(value, 1), message: `${message}; no limit set (checks.resources.${key})` });
  const ok = Number.isFinite(value) && value <= limit;
  return result({
    id,
    category: CATEGORY,
    severity: limits.severity,
    status: ok ? 'pass' : 'fail',
    value: round(value, 1),
    threshold: `<= ${limit} MiB`,
    message: `${message}${ok ? '' : `: over the limit of ${limit} MiB (checks.resources.${key})`}`,
  });
}
