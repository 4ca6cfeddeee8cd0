/**
 * How the CLI shows progress on stderr. On a terminal a pass's counter ("predicting: 2,048 /
 * 5,000 rows …, about 3 s left") redraws one line in place and ends it when the pass finishes or
 * another message arrives; elsewhere (CI logs, files) every message is a plain line of its own.
 */
import { COUNTER_LINE } from './checks/context.ts';

/**
 * `write` passes text through the CLI's sanitiser (which turns control characters into visible
 * marks); `control` writes only the cursor controls this adds, raw.
 */
export function progressWriter(write: (text: string) => void, control: (codes: string) => void, tty: boolean): (message: string) => void {
  let open = false;
  return (message) => {
    const counter = tty && COUNTER_LINE.test(message);
    if (!counter) {
      write(`${open ? '\n' : ''}› ${message}\n`);
      open = false;
      return;
    }
    // \r back to the line's start, the text, then erase what a longer earlier text left behind.
    const done = /, done in /.test(message);
    control('\r');
    write(`› ${message}`);
    control(`\x1b[K${done ? '\n' : ''}`);
    open = !done;
  };
}
