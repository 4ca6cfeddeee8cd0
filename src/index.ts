/** Action entry: calls run() and nothing else. */
import { run } from './main.ts';

await run();
