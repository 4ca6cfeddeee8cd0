/**
 * The one GitHub API client: Octokit with the retry and throttling plugins, at GITHUB_API_URL
 * (GitHub Enterprise Server), through the runner's proxy settings (@actions/github's defaults).
 */
import { GitHub, getOctokitOptions } from '@actions/github/lib/utils';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

export interface ApiLog {
  debug(message: string): void;
  warning(message: string): void;
}

/** How long a rate limit may hold a comment up before it is given up (the gate has decided). */
const MAX_WAIT_S = 120;
const SECONDARY_RETRIES = 3;

const Client = GitHub.plugin(retry, throttling);
export type Octokit = InstanceType<typeof Client>;

export function createOctokit(token: string, apiUrl: string, log: ApiLog): Octokit {
  const describe = (o: { method?: string; url?: string }) => `${o.method ?? 'GET'} ${o.url ?? ''}`;
  return new Client(
    getOctokitOptions(token, {
      baseUrl: apiUrl,
      log: { debug: log.debug, info: log.debug, warn: log.warning, error: log.warning },
      retry: { retries: 3 },
      throttle: {
        onRateLimit: (retryAfter: number, options: { method?: string; url?: string }, _octokit: unknown, retryCount: number) => {
          const wait = retryAfter <= MAX_WAIT_S && retryCount < 1;
          log.warning(`GitHub API rate limit reached on ${describe(options)}${wait ? `; retrying in ${retryAfter} s` : '; giving up'}`);
          return wait;
        },
        onSecondaryRateLimit: (retryAfter: number, options: { method?: string; url?: string }, _octokit: unknown, retryCount: number) => {
          const wait = retryAfter <= MAX_WAIT_S && retryCount < SECONDARY_RETRIES;
          log.warning(`GitHub API secondary rate limit on ${describe(options)}${wait ? `; retrying in ${retryAfter} s` : '; giving up'}`);
          return wait;
        },
      },
    }),
  );
}

/** The HTTP status of an Octokit RequestError, if that is what was thrown. */
export function statusOf(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}
