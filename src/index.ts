/**
 * Action entry: checks the Node.js version first, then runs the main step, or the post step (the
 * same bundle, told apart by saved state).
 */
import { exitOnUnsupportedNode } from './node-version.ts';

// `::error::` makes the one line an annotation on the run.
exitOnUnsupportedNode('::error::');
// Loaded only after the check; "eager" keeps them in the one bundle file.
const core = await import(/* webpackMode: "eager" */ '@actions/core');
const { post, run } = await import(/* webpackMode: "eager" */ './main.ts');

if (core.getState('isPost') === 'true') {
  await post();
} else {
  core.saveState('isPost', 'true');
  await run();
}
