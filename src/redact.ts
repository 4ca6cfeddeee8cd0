/**
 * Secrets never leave: one Redactor, built once per run from the settings, the config and the
 * environment, and applied at the shells' exits (the final report object, every line sent through
 * @actions/core or the CLI's streams, the PR comment body). Masking with core.setSecret covers only
 * the log; a comment posted through the API or a report artifact is public on a public repository.
 *
 * Also here: `excerpt()`, the only way a message quotes content it read (a file, a server's
 * answer, a command's output): short, on one line, with secret-looking parts blanked.
 */

/** What a redacted value becomes (the runner's own mask looks the same). */
export const MASK = '***';

/** Configured secrets shorter than this are not masked: masking "ab" everywhere would garble every message. */
const MIN_CONFIGURED = 4;
/** An environment variable with a secret-looking name is masked when its value is at least this long. */
const MIN_ENV = 8;

/** Environment names that hold secrets by convention (GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY, API_KEY, DB_PASSWORD …). */
const SECRET_ENV_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|SIGNING|(^|_)(KEY|AUTH|PASS|PAT|COOKIE|SESSION)(_|$)/i;
/** …unless the name says the value is a location, not the secret itself. */
const LOCATION_ENV_NAME = /(_URL|_PATH|_FILE|_DIR|_SOCK|_HOME|_ROOT)$/i;
/** Config keys and header names whose values are secrets. */
const SECRET_KEY = /token|secret|password|passwd|passphrase|credential|api[-_]?key|access[-_]?key|private[-_]?key|bearer|^authorization$|^proxy-authorization$|^cookie$|^x-api-key$|auth/i;
/** URL query parameters that carry credentials (`?token=`, `&api_key=`, `sig=` of signed URLs …). */
const SECRET_PARAM = /token|secret|password|passwd|api[-_]?key|apikey|access[-_]?key|^key$|^sig$|signature|credential|^auth|^code$/i;

/**
 * Shapes that are secrets wherever they appear, known or not: credentials in a URL, a token in a
 * query string, an Authorization value a server echoed, `NAME=value` with a secret-looking name
 * (an environment dump), GitHub's token formats.
 */
const PATTERNS: Array<[RegExp, (m: string, ...groups: string[]) => string]> = [
  [/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:'"<>]*):([^\s/@'"<>]+)@/gi, (_m, scheme: string, user: string) => `${scheme}${user}:${MASK}@`],
  [/([?&;])([\w.-]+)=([^&\s#'"<>]+)/g, (m, sep: string, name: string) => (SECRET_PARAM.test(name) ? `${sep}${name}=${MASK}` : m)],
  // A credential has a digit or is long: "Basic statistics" and "token classification" are prose.
  [/\b(Bearer|Basic|Token|Digest)(\s+)((?=[\w\-.~+/]*\d)[\w\-.~+/]{8,}|[\w\-.~+/]{20,})=*/gi, (_m, kind: string, space: string) => `${kind}${space}${MASK}`],
  [/\b([A-Za-z_][A-Za-z0-9_]*)=([^\s\0&'"]{8,})/g, (m, name: string) => (SECRET_ENV_NAME.test(name) && !LOCATION_ENV_NAME.test(name) ? `${name}=${MASK}` : m)],
  [/\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\b/g, () => MASK],
];

/** The shapes above, without knowing any secret: what `excerpt` and the final pass apply. */
export function redactPatterns(text: string): string {
  let out = text;
  for (const [pattern, replace] of PATTERNS) out = out.replace(pattern, replace as (m: string, ...g: string[]) => string);
  return out;
}

/**
 * The spellings of a secret that may reach a message: as is, percent-encoded (a query string, a
 * form), and base64 at each of the three byte alignments (inside `Basic user:password`, a JWT,
 * a data: URL), trimmed to the characters that depend on the secret alone.
 */
export function spellings(secret: string): string[] {
  const out = new Set<string>([secret, encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+')]);
  const bytes = Buffer.from(secret, 'utf8');
  if (bytes.length >= 6) {
    for (let k = 0; k < 3; k++) {
      const b64 = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
      const start = Math.ceil((8 * k) / 6);
      const end = Math.floor((8 * (k + bytes.length)) / 6);
      const piece = b64.slice(start, end);
      if (piece.length >= 8) {
        out.add(piece);
        out.add(piece.replace(/\+/g, '-').replace(/\//g, '_')); // base64url
      }
    }
  }
  return [...out].filter((s) => s.length >= MIN_CONFIGURED);
}

export class Redactor {
  readonly #secrets = new Set<string>();
  #ordered: string[] | null = [];

  /** Registers a secret value (and its encodings); too-short values are ignored. Returns the value. */
  add(value: string | undefined | null): string | undefined | null {
    if (typeof value !== 'string') return value;
    const v = value.trim();
    if (v.length < MIN_CONFIGURED) return value;
    for (const s of spellings(v)) this.#secrets.add(s);
    // `Bearer x` / `Basic x`: the credential alone is the secret too.
    const scheme = /^(?:Bearer|Basic|Token|Digest)\s+(\S+)$/i.exec(v);
    if (scheme) this.add(scheme[1]);
    this.#ordered = null;
    return value;
  }

  /** How many spellings are masked (for tests and the debug log). */
  get size(): number {
    return this.#secrets.size;
  }

  /** The registered secrets, longest first (so a secret containing another is masked whole). */
  values(): readonly string[] {
    this.#ordered ??= [...this.#secrets].sort((a, b) => b.length - a.length);
    return this.#ordered;
  }

  /** One string with every known secret, and every secret-shaped part, masked. */
  text(input: string): string {
    let out = input;
    for (const s of this.values()) if (out.includes(s)) out = out.split(s).join(MASK);
    return redactPatterns(out);
  }

  /** A copy of a JSON-like value (a report) with every string in it, keys included, redacted. */
  deep<T>(value: T): T {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.text(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.text(k), walk(x)]));
      }
      return v;
    };
    return walk(value) as T;
  }

  /** Environment variables whose names say they hold a secret (the runner's token, cloud keys …). */
  addEnvironment(env: NodeJS.ProcessEnv): this {
    for (const [name, value] of Object.entries(env)) {
      if (value && value.length >= MIN_ENV && SECRET_ENV_NAME.test(name) && !LOCATION_ENV_NAME.test(name)) this.add(value);
    }
    return this;
  }

  /**
   * Secrets in settings or a config, found by shape: values under secret-looking keys (tokens,
   * passwords, Authorization headers), what `${NAME}` references expand to, and credentials in
   * URLs (userinfo, secret query parameters).
   */
  addSettings(value: unknown, env: NodeJS.ProcessEnv): this {
    const seen = new Set<unknown>();
    const visit = (v: unknown, key: string) => {
      if (typeof v === 'string') {
        for (const m of v.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) this.add(env[m[1]!]);
        // A template (`Bearer \${TOKEN}`) is not the secret; what it expands to is, above.
        if (SECRET_KEY.test(key) && !/\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(v)) this.add(v);
        this.#addUrl(v);
        return;
      }
      if (!v || typeof v !== 'object' || seen.has(v)) return;
      seen.add(v);
      for (const [k, x] of Object.entries(v)) visit(x, Array.isArray(v) ? key : k);
    };
    visit(value, '');
    return this;
  }

  #addUrl(text: string): void {
    for (const m of text.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi)) {
      let url: URL;
      try {
        url = new URL(m[0]);
      } catch {
        continue;
      }
      if (url.password) {
        this.add(decodeURIComponent(url.password));
        this.add(url.password);
      } else if (url.username.length >= 16) this.add(decodeURIComponent(url.username)); // https://<token>@host
      for (const [name, value] of url.searchParams) if (SECRET_PARAM.test(name)) this.add(value);
    }
  }
}

/** The redactor of a run: the environment's secret-looking values plus what the settings and config hold. */
export function redactorFor(env: NodeJS.ProcessEnv, ...sources: unknown[]): Redactor {
  const r = new Redactor().addEnvironment(env);
  for (const s of sources) r.addSettings(s, env);
  return r;
}

/** Most characters of content a message may quote. */
export const EXCERPT_MAX = 60;

/**
 * A short, one-line, redacted quote of content the tool read (a data file's header, a server's
 * body, a command's output): control characters shown as escapes, at most `max` characters, and
 * how much was left out. Never quote content any other way.
 */
export function excerpt(content: string, max = EXCERPT_MAX): string {
  // Control characters (NUL-separated dumps such as /proc/self/environ, newlines) are spelled out.
  // eslint-disable-next-line no-control-regex -- control characters are what this spells out
  const flat = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\0' ? '\\0' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  // Mask on the whole content first, so a secret cut in half by the limit is still masked.
  const whole = redactPatterns(content.replace(/\0/g, ' '));
  const chars = [...whole];
  if (chars.length <= max) return flat(whole);
  return `${flat(chars.slice(0, max).join(''))}… (${(chars.length - max).toLocaleString('en')} more characters)`;
}
