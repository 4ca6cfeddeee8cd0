/** Action entry: the main step, or the post step (the same bundle, told apart by saved state). */
import * as core from '@actions/core';
import { post, run } from './main.ts';

if (core.getState('isPost') === 'true') {
  await post();
} else {
  core.saveState('isPost', 'true');
  await run();
}
