/**
 * Drift verdicts as checklist items. A feature fails by its deciding measure with the configured
 * severity (info by default), and by PSI on its own levels (warning 0.1, blocker 0.25) when its
 * noise test rejects after the run's multiplicity adjustment; dataset drift fails as a warning.
 */
import { result, type CheckResult, type Severity } from '../core/check-result.ts';
import { compact, round, significant } from '../core/format.ts';
import type { DriftRules } from '../config/types.ts';
import type { DriftSummary, FeatureDrift } from './judge.ts';
import { DRIFT_MEASURES } from './methods.ts';

export interface DriftCheckOptions {
  /** Id prefix of the per-feature items, e.g. `drift.feature`. */
  prefix: string;
  severity: Severity;
  /** Whether PSI levels gate these items (input features and the candidate's predictions). */
  psiGates: boolean;
  rules: DriftRules;
}

export function featureCheck(f: FeatureDrift, options: DriftCheckOptions): CheckResult {
  const { rules } = options;
  const severity = rules.features[f.name]?.severity ?? options.severity;
  const adjusted = rules.multiplicity === 'none' ? '' : ` (${rules.multiplicity === 'holm' ? 'Holm' : 'BH'}-adjusted)`;
  const threshold = f.method
    ? `${DRIFT_MEASURES[f.method].isTest ? `p${adjusted} > ${compact(f.threshold!)}` : `${DRIFT_MEASURES[f.method].label} < ${compact(f.threshold!)} or p${adjusted} > ${compact(rules.p_value)}`}${
        options.psiGates ? `; PSI ≥ ${compact(rules.psi.warning)} warns, ≥ ${compact(rules.psi.blocker)} blocks, when beyond sampling noise` : ''
      }`
    : null;
  const base = { id: `${options.prefix}.${f.name}`, category: 'drift', value: f.value === null ? null : significant(f.value, 6), threshold, message: `${f.name}: ${f.message}` };
  if (f.status === 'error') return result({ ...base, severity, status: 'error' });
  if (f.status === 'inconclusive') return result({ ...base, severity: 'info', status: 'skip' });
  if (options.psiGates && f.psi_level !== 'ok' && f.psi_level !== null) {
    // PSI decided: it leads, once (the measure's own message carries it too, so it is cut there).
    const rest = f.message.replace(/; PSI \S+ \(/, ' (');
    return result({ ...base, severity: f.psi_level, status: 'fail', message: `${f.name}: PSI ${compact(f.psi!)} ≥ ${compact(rules.psi[f.psi_level])}, which ${f.psi_level === 'blocker' ? 'blocks' : 'warns'}; ${rest}` });
  }
  // Informational drift is a note on a passing item, not a failure.
  return result({ ...base, severity, status: f.drifted ? (severity === 'info' ? 'warn' : 'fail') : 'pass' });
}

export function datasetCheck(summary: DriftSummary, rules: DriftRules, severity: Severity, id = 'drift.dataset'): CheckResult {
  const threshold = `< ${compact(rules.dataset_share * 100)}% of features drifted`;
  if (summary.features.length === 0) {
    // Nothing tabular to compare (images, audio, token ids): not a failure to measure; the
    // predictions' drift still watches what the model makes of the data.
    const message = 'no feature columns to compare: arrays (images, audio, token ids) are left out of per-column drift, those of up to drift.max_features elements compared per element; prediction drift still runs';
    return result({ id, category: 'drift', severity: 'info', status: 'skip', threshold, message });
  }
  if (summary.drifted_share === null) {
    return result({ id, category: 'drift', severity, status: 'error', threshold, message: 'dataset drift could not be judged: no feature could be compared (see the feature items)' });
  }
  const names = summary.features.filter((f) => f.status === 'drifted').map((f) => f.name);
  const shown = names.length > 8 ? `${names.slice(0, 8).join(', ')}, …` : names.join(', ');
  return result({
    id,
    category: 'drift',
    severity,
    status: summary.dataset_drift ? 'fail' : 'pass',
    value: round(summary.drifted_share, 4),
    threshold,
    message: `${summary.drifted} of ${summary.judged} features drifted (${compact(summary.drifted_share * 100)}%)${names.length ? `: ${shown}` : ''}${
      summary.dataset_drift ? ' — dataset drift' : ''
    }`,
  });
}
