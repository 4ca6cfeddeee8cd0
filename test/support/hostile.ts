/**
 * Hostile names and the checks that what we render from them stays inert: no bare HTML tag, no
 * live @mention, tables whose rows keep their column count, and Mermaid blocks that still parse.
 * The `mermaid` package is not installed here, so charts are checked against the grammar of what
 * mermaid.ts emits (a small line-by-line validator of the xychart subset), not by Mermaid itself.
 */

export const HOSTILE_NAMES = [
  '<img src=x onerror=alert(1)>',
  '</details> @octocat | a|b #1 <script>x</script>',
  '`tick` ``two`` \\` back\\slash *bold* _it_ [l](http://x) &#64;octocat &lt;b&gt;',
  'line1\nline2 "] x-axis [ #60; %% -->\r\n# heading',
  '| --- |',
  '- item',
  '<!-- model-gate promotion -->',
];

/** Fenced blocks and code spans removed (their content is literal), backslash escapes resolved to a placeholder. */
export function stripCode(md: string): string {
  return md
    .replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '')
    .replace(/\\[\\`*_[\]|~#+\-=>.)!]/g, '§')
    .replace(/(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '');
}

/** HTML tags outside code, except the few the report itself writes. */
export function bareTags(text: string): string[] {
  const ours = /^<\/?(details|summary|sub)>$|^<!-- model-gate (comment|verdict|promotion)[^>]*-->$|^<!-- \/model-gate promotion -->$|^<!-- stage [\w%.]+ -->$/;
  return [...text.matchAll(/<[!/?a-zA-Z][^>]*>?/g)].map((m) => m[0]).filter((t) => !ours.test(t));
}

/** `@name` that GitHub would turn into a mention (a zero-width joiner after `@` breaks it). */
export const liveMentions = (text: string): string[] => [...text.matchAll(/(?<![\w`])@[A-Za-z0-9][\w-]*/g)].map((m) => m[0]);

/** Rows of each Markdown table with a column count other than the header's (cells split as GFM does: on unescaped pipes). */
export function tableProblems(md: string): string[] {
  const problems: string[] = [];
  let width: number | null = null;
  let inFence = false;
  for (const line of md.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    if (inFence || !line.startsWith('|')) {
      width = null;
      continue;
    }
    const cells = line.replace(/\\\\/g, '').split(/(?<!\\)\|/).length;
    if (width === null) width = cells;
    else if (cells !== width) problems.push(line);
  }
  return problems;
}

const LABEL = '"[^"\\n]*"';
const NUM = '-?\\d+(\\.\\d+)?(e[-+]?\\d+)?';
/** Our one directive line: a fixed palette and height, no text from data (so its quoted colours are not labels). */
const MERMAID_INIT = /^%%\{init: \{"xyChart": \{"height": \d+\}, "themeVariables": \{"xyChart": \{"plotColorPalette": "(#[0-9a-f]{6}, )*#[0-9a-f]{6}"\}\}\}\}%%$/;
const MERMAID_LINES = [
  MERMAID_INIT,
  /^xychart-beta( horizontal)?$/,
  new RegExp(`^  title ${LABEL}$`),
  new RegExp(`^  x-axis \\[${LABEL}(, ${LABEL})*\\]$`),
  new RegExp(`^  y-axis ${LABEL} ${NUM} --> ${NUM}$`),
  new RegExp(`^  (bar|line) \\[${NUM}(, ${NUM})*\\]$`),
];

/** Lines of ```mermaid blocks that fall outside the xychart grammar we emit, or labels Mermaid would decode or end early. */
export function checkMermaid(md: string): string[] {
  const problems: string[] = [];
  for (const block of md.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)) {
    for (const line of block[1]!.split('\n').filter(Boolean)) {
      if (MERMAID_INIT.test(line)) continue;
      if (!MERMAID_LINES.some((re) => re.test(line))) problems.push(line);
      for (const label of line.match(new RegExp(LABEL, 'g')) ?? []) if (/[#;<>[\]{}`\\]|%%/.test(label.slice(1, -1))) problems.push(`label ${label}`);
    }
  }
  return problems;
}
