/**
 * Untrusted text (column names, model paths, config values, check and server messages, a whole
 * report.json from a fork's artifact) made inert where it lands: one helper per target. Markdown
 * text and table cells, inline code spans, HTML, link targets. Nothing that passes through them
 * renders markup, pings a person, closes a `<details>`, breaks a table or reproduces one of our
 * hidden markers.
 */

const ZWJ = '\u200d';
const ZWSP = '\u200b';
const NEWLINES = /\r\n|[\r\n\u2028\u2029\u0085]/g;
/** Other control characters (ANSI escapes, NUL) have no business in a report. */
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const oneLine = (s: unknown) => String(s ?? '').replace(NEWLINES, ' ').replace(CONTROLS, '�');

/**
 * Inline Markdown text, safe anywhere on a line (also at its start): HTML as entities, Markdown
 * punctuation backslash-escaped, `@mention` and `#123` broken with a zero-width joiner, one line.
 */
export function mdText(s: unknown): string {
  return oneLine(s)
    .replace(/[&<]/g, (c) => ENTITIES[c]!) // no tag, comment or entity can start; a lone `>` is text
    .replace(/[\\`*[\]|~]|(?<!\w)_|_(?!\w)/g, (c) => `\\${c}`) // `error_rate` stays as it is: intraword `_` is not emphasis
    .replace(/@(?=[\w-])/g, `@${ZWJ}`)
    .replace(/#(?=\d)/g, `#${ZWJ}`)
    // At a line's start: no heading, list, quote or setext underline.
    .replace(/^(\s*)([#+\-=>]|\d+[.)](?=\s|$))/, (_m, space: string, lead: string) => `${space}${/^\d/.test(lead) ? lead.replace(/([.)])$/, '\\$1') : `\\${lead}`}`);
}

/** A Markdown table cell: `mdText` (which already escapes pipes and keeps one line). */
export const mdCell = (s: unknown): string => mdText(s);

/**
 * An inline code span holding any text: a fence longer than any run of backticks inside, one
 * line, and `<!--` broken so that no marker of ours can appear in the body's source.
 */
export function mdCode(s: unknown, options: { cell?: boolean } = {}): string {
  let text = oneLine(s).replace(/<!--/g, `<${ZWSP}!--`).replace(/-->/g, `--${ZWSP}>`);
  if (options.cell) text = text.replace(/\|/g, '\\|'); // GFM splits cells before code spans
  if (text === '') return '` `';
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || (text.startsWith(' ') && text.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A code span inside a table cell. */
export const mdCodeCell = (s: unknown): string => mdCode(s, { cell: true });

/** The target of a Markdown link: nothing that ends the link or starts markup. */
export const mdUrl = (url: string): string => (/^https?:\/\//i.test(url) ? url.replace(/[\s()<>[\]"'`|]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`) : '#');

/** HTML text or attribute value (quoted). */
export const htmlText = (s: unknown): string => String(s ?? '').replace(CONTROLS, '�').replace(/[&<>"']/g, (c) => ENTITIES[c]!);

/** A line for the Actions log: no line of it may start a workflow command (`::set-output`, `::add-mask::` …). */
export const logLine = (s: string): string => s.replace(/(^|\n)(\s*):(?=:)/g, `$1$2:${ZWSP}`);
