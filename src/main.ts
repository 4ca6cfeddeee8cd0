/**
 * The action shell: inputs -> settings -> engine -> outputs, job summary, annotations. One catch
 * turns anything thrown into a failed step, so a crash can never pass the gate.
 */
import * as core from '@actions/core';
import { systemClock } from './clock.ts';
import { ConfigValidationError } from './config/load.ts';
import { Outputs } from './constants.ts';
import { ConfigError, getErrorMessage, isUserError } from './errors.ts';
import { contentTimestamp, detectProvenance } from './provenance.ts';
import { writeReports } from './report/files.ts';
import type { Report } from './report/json.ts';
import { renderMarkdown } from './report/markdown.ts';
import { loadOnnxRuntime } from './runners/onnxruntime-loader.ts';
import { settingsFromInputs } from './settings.ts';
import { validate } from './validate.ts';

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const settings = settingsFromInputs((name) => core.getInput(name), env);
    const { report, config } = await validate(settings, {
      clock: systemClock,
      loadRuntime: () => loadOnnxRuntime({ info: (m) => core.info(m) }, env),
      progress: (m) => core.info(`› ${m}`),
      provenance: detectProvenance(env),
      contentTimestamp,
    });
    const files = await writeReports(settings.outDir, report);
    core.setOutput(Outputs.Decision, report.decision);
    core.setOutput(Outputs.Version, report.version.id);
    core.setOutput(Outputs.Report, files.json);
    core.setOutput(Outputs.Manifest, files.manifest);
    annotate(report);
    await writeSummary(renderMarkdown(report));
    core.info(`${report.headline} (${report.version.id})`);
    if (report.decision === 'NO-GO') core.setFailed(`NO-GO: ${report.reason}`);
    else if (report.decision === 'DELAY' && config.fail_on === 'delay') {
      core.setFailed(`DELAY (fail-on: delay): ${report.reason}`);
    }
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      for (const issue of error.issues) {
        core.error(issue.message, {
          title: 'model-gate config',
          file: issue.location.file,
          startLine: issue.location.line,
          startColumn: issue.location.column,
        });
      }
      core.setFailed(`invalid config: ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'} (see annotations)`);
    } else if (error instanceof ConfigError && error.location) {
      core.error(error.message, { title: 'model-gate config', file: error.location.file, startLine: error.location.line });
      core.setFailed(error.message);
    } else {
      if (!isUserError(error) && error instanceof Error && error.stack) core.debug(error.stack);
      core.setFailed(getErrorMessage(error));
    }
  }
}

function annotate(report: Report): void {
  for (const c of report.checks) {
    if (c.status !== 'fail' && c.status !== 'error') continue;
    const text = `${c.id}: ${c.message}`;
    if (c.severity === 'blocker') core.error(text, { title: `model-gate ${c.id}` });
    else if (c.severity === 'warning') core.warning(text, { title: `model-gate ${c.id}` });
    else core.notice(text, { title: `model-gate ${c.id}` });
  }
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    core.warning(`could not write the job summary: ${getErrorMessage(error)}`);
  }
}
