/** `${NAME}` in a setting, read from the environment; every value read is a secret (masked in logs). Runners and promotion providers both expand settings this way. */
import { UsageError } from '../errors.ts';

export function expandSecrets(value: string, env: NodeJS.ProcessEnv, secret: (v: string) => void, where: string): string {
  const out = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const v = env[name];
    if (v === undefined || v === '') throw new UsageError(`${where} reads \${${name}}, which is not set in the environment`);
    secret(v);
    return v;
  });
  if (out !== value) secret(out);
  return out;
}
