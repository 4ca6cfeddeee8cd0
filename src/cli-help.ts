/** The CLI's help texts: `model-gate --help` and each command's `--help`. */
import { DEFAULT_OUT_DIR } from './constants.ts';
import { PROTOCOLS } from './runners/http/protocols.ts';

/** The registry's protocol names, the first (v2) the schema's default: a new protocol shows up here by itself. */
const PROTOCOL_NAMES = PROTOCOLS.map((p, i) => (i === 0 ? `${p} (default)` : p)).join(', ');

/** The default place of the config, where `init` writes and `validate` looks first. */
export const DEFAULT_INIT_PATH = '.github/model-gate.yml';

export const CLI_HELP = `model-gate — decide whether a machine-learning model may ship

Usage:
  model-gate validate [options]    run the validation suite and print GO / NO-GO / DELAY
  model-gate drift [options]       compare two data sets feature by feature
  model-gate load [options]        load-test a served model against the SLO
  model-gate promote --stage N     one stage of a staged roll-out: shift, bake, judge
  model-gate promote --drill       the rollback drill: first stage and back, checked by the metrics
  model-gate rollback              all traffic back on stable
  model-gate status                the last stage and its judgement
  model-gate monitor [options]     judge the deployed model on a production window
  model-gate alerts [options]      write Prometheus alerting rules for the deployed model
  model-gate init --model FILE     write a commented starter config for a model
  model-gate report FILE --out DIR re-render the reports of a saved report.json
  model-gate --version             print the version
  model-gate <command> --help      help for a command

Exit codes: 0 GO, 1 NO-GO, 2 usage / config / IO error, 3 DELAY
(promote: 0 promoted, 1 rolled back; --drill: 0 passed, 1 failed).
`;

export const VALIDATE_HELP = `Usage: model-gate validate [options]

Runs the validation suite on a model and decides GO / NO-GO / DELAY.
Flags override the config file. A run with only --model works with defaults.

Options:
  --config FILE       config file (default: .github/model-gate.yml when present)
  --model FILE        the candidate ONNX model
  --baseline FILE     the model in production, for lineage and comparison: an ONNX
                      file, an http(s) URL or git:<ref>:<path>
  --baseline-endpoint URL, --baseline-protocol NAME, --baseline-model-name NAME,
  --baseline-header 'K: V', --baseline-command CMD
                      the baseline served or behind a command, as for the candidate
                      (with --baseline FILE: the file it serves, for its version)
  --data FILE         labelled evaluation data (CSV, JSON Lines, Parquet or .npz)
  --label COLUMN      label column of --data
  --reference FILE    reference data, e.g. the training set: drift is measured against it
  --endpoint URL      test the model served at URL instead of a file
  --protocol NAME     the endpoint's protocol: ${PROTOCOL_NAMES}
  --model-name NAME   the model's name on the server (v2, tfserving)
  --header 'K: V'     a header for every request (repeatable); \${NAME} reads the environment
  --command CMD       test the model behind a command speaking JSON Lines (see README)
  --out DIR           where report.json, report.html, deployment_manifest.yaml and
                      summary.md go
                      (default: ${DEFAULT_OUT_DIR})
  --junit FILE        also write the checklist as JUnit XML (one test case per check)
                      for GitLab, Jenkins or Azure test reports
  --comment-preview FILE
                      also write the body the pull-request comment would get (Markdown),
                      to look at before pushing; nothing is sent to GitHub
  --json              print the JSON report on stdout, nothing else
  --debug             print stack traces of unexpected errors
  -h, --help          this help

Exit codes: 0 GO, 1 NO-GO, 2 usage / config / IO error, 3 DELAY.
`;

export const DRIFT_HELP = `Usage: model-gate drift --reference FILE --current FILE [options]

Measures drift feature by feature (KS, chi-squared, z-test, PSI, Wasserstein, Jensen–Shannon)
and decides GO / NO-GO / DELAY from it, with the config's drift section when there is one.

Options:
  --reference FILE    the reference data (CSV, JSON Lines, Parquet or .npz), e.g. the training set
  --current FILE      the data to compare with it
  --columns A,B,…     only these columns (repeatable; default: every column of the reference)
  --exclude A,B,…     leave these columns out (repeatable), e.g. an id column
  --config FILE       config file for thresholds (default: .github/model-gate.yml when present)
  --out DIR           also write report.json (the drift report), report.html and summary.md there
                      (no report.html: the HTML report needs a validate run)
  --json              print the drift report as JSON on stdout, nothing else
  --debug             print stack traces of unexpected errors
  -h, --help          this help

Exit codes: 0 GO, 1 NO-GO, 2 usage / config / IO error, 3 DELAY.
`;

export const LOAD_HELP = `Usage: model-gate load (--endpoint URL | --command CMD | --model FILE) [options]

Load-tests a model where it is served and judges the result against the SLO (config section
"load": p95 < 100 ms, >= 1,000 requests/s, error rate < 0.1% by default).

Options:
  --endpoint URL      the server's base URL
  --protocol NAME     ${PROTOCOL_NAMES}
  --model-name NAME   the model's name on the server (v2, tfserving)
  --header 'K: V'     a header for every request (repeatable); \${NAME} reads the environment
  --command CMD       a command speaking JSON Lines instead of a server
  --model FILE        an ONNX file, run in-process
  --concurrency N     closed loop: N requests in flight (repeatable, or N,M,… for several runs)
  --rate R            open loop: R requests/s on schedule (no coordinated omission)
  --duration S        measured seconds per run (default 10)
  --warmup S          unmeasured seconds before each run (default 2)
  --data FILE         rows to send (default: generated from the model's signature)
  --config FILE       config file (its model and load sections)
  --out DIR           where report.json, report.html, deployment_manifest.yaml and
                      summary.md go (default: ${DEFAULT_OUT_DIR})
  --json              print the load report as JSON on stdout, nothing else
  --debug             print stack traces of unexpected errors
  -h, --help          this help

Exit codes: 0 GO, 1 NO-GO, 2 usage / config / IO error, 3 DELAY.
`;

export const PROMOTION_HELP = `Usage: model-gate promote --stage N [options]
       model-gate rollback [options]
       model-gate status [options]

promote: one stage of the roll-out: set the canary's traffic to the stage's weight with the
traffic command, bake while measuring canary against stable (config section "promotion"), then
promote (exit 0) or roll back (exit 1). rollback: all traffic back on stable, idempotently.
status: the last stage, its weight and its judgement.

Options:
  --stage N|shadow          promote: a weight of promotion.stages (e.g. 25) or shadow
  --version ID              the version being promoted (default: the validate report's)
  --report FILE             the validate run's report.json (default: <out>/report.json)
  --config FILE             config file (default: .github/model-gate.yml when present)
  --environment NAME        the deployment environment recorded (default: production)
  --traffic-command CMD     overrides promotion.traffic.command ({weight} {version} {stage} {model})
  --rollback-command CMD    overrides promotion.traffic.rollback
  --promote-command CMD     overrides promotion.traffic.promote
  --allow-delay             promote: a report saying DELAY may be promoted (a person cleared it)
  --drill                   promote: the rollback drill instead of a stage: traffic to the first
                            stage's weight (or --stage), shown on the canary by the metrics, then
                            the rollback, shown to take traffic off it; traffic left on stable
                            (exit 0 passed, 1 failed; docs/rollback-drill.md)
  --require-drill           promote: the first stage needs a passed drill of this version in this
                            environment (overrides promotion.drill.require)
  --out DIR                 where stage reports go (default: ${DEFAULT_OUT_DIR})
  --json                    print the stage report as JSON on stdout, nothing else
  --debug                   print stack traces of unexpected errors
  -h, --help                this help

Exit codes: 0 promoted (or nothing to do; --drill: passed), 1 rolled back (--drill: failed),
2 usage / config / IO error (e.g. a stage refused for want of a passed drill).
`;

export const INIT_HELP = `Usage: model-gate init --model FILE [options]

Writes a commented starter config for an ONNX model: its inputs and outputs read from the
model's signature, a model.inputs block only where an input needs one (left as commented
TODO lines to fill in), and a versioned $schema line for editors.

Options:
  --model FILE        the ONNX model
  --out FILE          where the config goes (default: ${DEFAULT_INIT_PATH})
  --data FILE         labelled evaluation data to name in the config (and map inputs from)
  --label COLUMN      label column of --data
  --force             overwrite FILE when it exists
  --debug             print stack traces of unexpected errors
  -h, --help          this help

Exit codes: 0 written, 2 usage / IO error (or FILE exists without --force).
`;

export const REPORT_HELP = `Usage: model-gate report FILE --out DIR

Re-renders the reports of a saved validate run from its report.json (checked against
schema/report.schema.json first): report.html, summary.md, deployment_manifest.yaml and a
copy of report.json, in DIR.

Options:
  --out DIR           where the reports go (default: ${DEFAULT_OUT_DIR})
  --debug             print stack traces of unexpected errors
  -h, --help          this help

Exit codes: 0 written, 2 usage / IO error or not a model-gate report.
`;

export const MONITOR_HELP = `Usage: model-gate monitor [options]

Judges the deployed model on a window of production data: feature and prediction drift against
the reference, performance estimated without labels (CBPE), realised metrics where delayed labels
arrived, and (monitor.operational) its error rate from the metrics provider. Prints OK, DEGRADED
or FAILING. Config section "monitor"; flags override it.

Options:
  --window FILE|URL   the production window (CSV, JSON Lines, Parquet or .npz); a command printing
                      it goes in the config: monitor.window: {command: "aws s3 cp s3://… -"}
  --reference FILE    the reference data with labels and scores (default: monitor.reference,
                      data.reference)
  --labels FILE|URL   delayed labels, joined by monitor.id_column
  --version ID        the deployed version (default: monitor.version, else the newest successful
                      100% stage the promotion recorded as a GitHub deployment of the environment,
                      read when GITHUB_REPOSITORY=owner/name and GITHUB_TOKEN (or GH_TOKEN) are
                      set; GITHUB_API_URL for GitHub Enterprise Server). One of the two is needed.
  --environment NAME  the deployment environment (default: monitor.environment, else production)
  --id ID             keys the alert issue (default: environment and config path)
  --config FILE       config file (default: .github/model-gate.yml when present)
  --out DIR           where monitor/report.json and monitor/summary.md go (default: ${DEFAULT_OUT_DIR})
  --json              print the monitor report as JSON on stdout, nothing else
  --debug             print stack traces of unexpected errors
  -h, --help          this help

Exit codes: 0 OK, 1 FAILING, 2 usage / config / IO error, 3 DEGRADED.
`;

export const ALERTS_HELP = `Usage: model-gate alerts [options]

Writes Prometheus alerting rules for the deployed model from the thresholds the promotion judge
enforces (promotion.metrics: error rate, p95 latency ratio against the previous version), so
Alertmanager pages on the limits CI held the canary to. Check them: promtool check rules FILE.

Options:
  --version ID        the deployed version ({version} in the queries); default: monitor.version,
                      else the promotion's deployment records, read when GITHUB_REPOSITORY and
                      GITHUB_TOKEN (or GH_TOKEN) are set
  --previous ID       the version latency is compared with (default: the one deployed before)
  --id ID             names the rule group (default: environment and config path)
  --config FILE       config file (default: .github/model-gate.yml when present)
  --output FILE       where the rules go (default: stdout)
  --debug             print stack traces of unexpected errors
  -h, --help          this help

Exit codes: 0 written, 2 usage / config / IO error.
`;
