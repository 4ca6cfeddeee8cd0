/** The load family: every configured run against the model under test, then the SLO verdict. */
import type { CheckContext } from '../checks/context.ts';
import type { CheckResult } from '../core/check-result.ts';
import { percentFixed } from '../core/format.ts';
import { feedsFor } from '../data/features.ts';
import type { ModelRunner, Feeds } from '../runners/types.ts';
import { promiseTarget, runLoad, type LoadPlan, type LoadRun, type LoadTarget } from '../runners/load/generate.ts';
import { healthOf, judgeLoadTest, runLabel, type LoadReport } from './judge.ts';

/** Runners without prepared requests are driven through infer(): what is timed includes encoding. */
function inferTarget(runner: ModelRunner, feeds: Feeds[]): LoadTarget {
  return promiseTarget((i) => runner.infer(feeds[i % feeds.length]!));
}

export async function runLoadTest(ctx: CheckContext): Promise<{ checks: CheckResult[]; report: LoadReport }> {
  const cfg = ctx.config.load;
  const plans: LoadPlan[] = [
    ...cfg.concurrency.map((c): LoadPlan => ({ mode: 'closed', concurrency: c })),
    ...(cfg.rate !== null ? [{ mode: 'open', rate: cfg.rate, maxInFlight: cfg.max_in_flight } as LoadPlan] : []),
  ];
  const feeds = Array.from({ length: 64 }, (_, i) => feedsFor(ctx.rows, (i * cfg.batch_size) % Math.max(ctx.rows.rows, 1), cfg.batch_size));
  const runs: LoadRun[] = [];
  for (const plan of plans) {
    const connections = plan.mode === 'closed' ? plan.concurrency : Math.min(plan.maxInFlight, 256);
    const target = ctx.runner.loadTarget?.(feeds, connections, () => ctx.clock.now()) ?? inferTarget(ctx.runner, feeds);
    ctx.progress(`load: ${plan.mode === 'closed' ? `concurrency ${plan.concurrency}` : `open loop ${plan.rate}/s`} for ${cfg.duration_s} s`);
    try {
      const run = await runLoad(target, plan, cfg.duration_s, cfg.warmup_s, ctx.clock);
      ctx.progress(`load: ${runLabel(run)}: ${Math.round(run.achieved_rps)} req/s, p95 ${run.p95_ms.toFixed(2)} ms, ${percentFixed(run.error_rate)} errors`);
      runs.push(run);
    } finally {
      await target.close?.();
    }
  }
  const { health, reason } = healthOf(runs, cfg);
  const report: LoadReport = { batch_size: cfg.batch_size, runs, health, health_reason: reason };
  return { checks: judgeLoadTest(report, cfg), report };
}
