/**
 * Tools the tests need beyond Node (scripts/test-tools.mjs, which `npm test` runs first, installs
 * or names them). A test that needs one fails without it, unless MODEL_GATE_TEST_SKIP_MISSING=1
 * asks to skip it, which the tally then shows.
 */
// @ts-expect-error: a plain JavaScript script, shared with `npm test`
import { chromiumPath, installLine, present, python } from '../../scripts/test-tools.mjs';

type Tool = 'python' | 'xgboost' | 'torch' | 'openssl' | 'nginx' | 'prometheus' | 'xmllint' | 'chromium';
const here = present() as Record<Tool, boolean>;

/** Whether to skip a test that needs `tools`: only when they are missing and skipping was asked for. */
export function skipWithout(...tools: Tool[]): boolean {
  const missing = tools.filter((t) => !here[t]);
  if (missing.length === 0) return false;
  if (process.env.MODEL_GATE_TEST_SKIP_MISSING === '1') return true;
  throw new Error(`these tests need ${missing.join(', ')}: ${installLine(missing) as string} (or set MODEL_GATE_TEST_SKIP_MISSING=1 to skip them)`);
}

/** The Python the tests run. */
export const PYTHON: string = (python() as string | null) ?? 'python3';

/** The Chromium the browser tests drive, or null. */
export const CHROMIUM: string | null = (chromiumPath() as string | null) ?? null;
