// Where secrets come from. Every secret found is registered with the redactor before it is used.
import type { Config } from './config.js';
import { addSecret } from './redact.js';

export interface Credentials {
  secretId: string;
  secretKey: string;
  token?: string;
}

/** Cloud API credentials from the configuration, or undefined when none are set. */
export function cloudCredentials(config: Config): Credentials | undefined {
  if (!config.secretId || !config.secretKey) return undefined;
  addSecret(config.secretKey);
  addSecret(config.sessionToken);
  return { secretId: config.secretId, secretKey: config.secretKey, token: config.sessionToken };
}

/** Registers every secret in the configuration, whether or not it ends up used. */
export function registerConfiguredSecrets(config: Config): void {
  for (const s of [config.secretKey, config.sessionToken, config.sdkSecretKey]) addSecret(s);
}
