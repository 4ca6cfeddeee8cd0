/**
 * The check families a validate run can execute. Each is one file under checks/families/ that
 * declares what it needs and produces; the engine (checks/family.ts) orders them by those
 * declarations, so a line's place here only breaks ties between independent families.
 */
import { comparison } from './families/comparison.ts';
import { drift } from './families/drift.ts';
import { errors } from './families/errors.ts';
import { latency } from './families/latency.ts';
import { load } from './families/load.ts';
import { metrics } from './families/metrics.ts';
import { outputs } from './families/outputs.ts';
import { predictions } from './families/predictions.ts';
import { resources } from './families/resources.ts';
import { slices } from './families/slices.ts';
import { smoke } from './families/smoke.ts';
import type { Family } from './family.ts';

export const FAMILIES: readonly Family[] = [predictions, smoke, outputs, metrics, comparison, slices, drift, latency, errors, load, resources];
