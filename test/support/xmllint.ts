/** xmllint (Debian's libxml2-utils): a real XSD validator and XPath reader for the JUnit tests. */
import { spawnSync } from 'node:child_process';

export const JUNIT_XSD = 'test/fixtures/junit/JUnit.xsd';

function xmllint(args: string[], input?: string) {
  const run = spawnSync('xmllint', args, { encoding: 'utf8', input, env: process.env });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('xmllint is missing: install it with `apt-get install -y libxml2-utils`');
  }
  return run;
}

/** Problems xmllint finds validating `file` against the JUnit XSD; empty when it validates. */
export function junitSchemaErrors(file: string): string {
  const run = xmllint(['--noout', '--schema', JUNIT_XSD, file]);
  return run.status === 0 ? '' : `${run.stderr}`.trim() || `xmllint exited ${run.status}`;
}

/** The string value of an XPath expression over `file`, as a conforming XML parser reads it. */
export function xpath(file: string, expression: string): string {
  const run = xmllint(['--xpath', `string(${expression})`, file]);
  if (run.status !== 0) throw new Error(`xmllint --xpath ${expression}: ${run.stderr}`);
  return run.stdout.replace(/\n$/, ''); // xmllint ends its answer with a newline
}
