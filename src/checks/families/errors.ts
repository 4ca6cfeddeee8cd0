/** The error-scenarios family: malformed requests are refused, not answered or crashed on (checks/error-scenarios.ts). */
import { runErrorScenarios, type ScenarioOutcome } from '../error-scenarios.ts';
import type { Family } from '../family.ts';

declare module '../family.ts' {
  interface Measurements {
    error_scenarios?: ScenarioOutcome[];
  }
  interface ReportSections {
    error_scenarios: ScenarioOutcome[];
  }
}

export const errors: Family = {
  id: 'errors',
  modes: ['validate'],
  produces: ['error_scenarios'],
  enabled: (ctx) => ctx.config.checks.errors.enabled,
  async run(ctx) {
    const { checks, outcomes } = await runErrorScenarios(ctx);
    return { checks, produced: { error_scenarios: outcomes } };
  },
  report: (m) => ({ error_scenarios: m.error_scenarios ?? [] }),
};
