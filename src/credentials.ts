// Where secrets come from: the environment, or a Tencent CLI profile file (so keys need not sit in an MCP
// client's configuration). Every secret found is registered with the redactor before it is used.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, credentialProblem, type Config } from './config.js';
import { addSecret } from './redact.js';

export interface Credentials {
  secretId: string;
  secretKey: string;
  token?: string;
  /** Where they came from, for the start-up log (never the values). */
  source?: string;
}

/** Cloud API credentials: the environment wins over a profile file; undefined when neither has any. */
export function cloudCredentials(config: Config): Credentials | undefined {
  if (config.secretId && config.secretKey) {
    return remember({ secretId: config.secretId, secretKey: config.secretKey, token: config.sessionToken, source: 'environment' });
  }
  if (config.profile) return remember(readProfile(config.profile, config.credentialsDir ?? join(homedir(), '.tccli')));
  return undefined;
}

/** Reads `<dir>/<profile>.credential`, the JSON file `tccli configure` writes. */
function readProfile(profile: string, dir: string): Credentials {
  const path = join(dir, `${profile}.credential`);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : 'it is not valid JSON';
    throw new ConfigError(`Invalid setting --profile: cannot read ${path} (${why}). Create it with \`tccli configure --profile ${profile}\`.`);
  }
  const pick = (...names: string[]) => names.map((n) => doc[n]).find((v): v is string => typeof v === 'string' && v !== '');
  const secretId = pick('secretId', 'SecretId');
  const secretKey = pick('secretKey', 'SecretKey');
  if (!secretId || !secretKey) throw new ConfigError(`Invalid setting --profile: ${path} has no secretId and secretKey.`);
  for (const [name, value] of [['secretId', secretId], ['secretKey', secretKey]] as const) {
    const problem = credentialProblem(value);
    if (problem) throw new ConfigError(`Invalid setting --profile: the ${name} in ${path} ${problem}.`);
  }
  return { secretId, secretKey, token: pick('token', 'Token', 'sessionToken'), source: `profile ${path}` };
}

function remember(c: Credentials): Credentials {
  addSecret(c.secretKey);
  addSecret(c.token);
  return c;
}

/** Registers every secret in the configuration, whether or not it ends up used. */
export function registerConfiguredSecrets(config: Config): void {
  for (const s of [config.secretKey, config.sessionToken, config.sdkSecretKey, config.confirmSecret, config.authToken, config.callbackKey, config.approverToken, config.approvalWebhookUrl, config.approvalWebhookSecret]) addSecret(s);
}
