// Builds what every session shares: configuration, logger, API callers and, when needed, the in-process sandbox.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CloudApiCaller } from '../api/cloud-api.js';
import { RestApiCaller } from '../api/rest-api.js';
import { ConfigError, REST_HOSTS, type Config } from '../config.js';
import { cloudCredentials, type Credentials } from '../credentials.js';
import type { Logger } from '../log.js';
import { RateGate } from '../rate-limit.js';
import { addSecret } from '../redact.js';
import { genUserSig } from '../signing/usersig.js';
import { openStore } from '../store/index.js';
import { VERSION } from '../version.js';
import { AuditLog } from './audit.js';
import { ConfirmationTokens } from './consent.js';
import type { ServerContext } from './pipeline.js';

/** Minted bot UserSigs live long enough to enter a room, and no longer. */
export const MINTED_USERSIG_TTL_S = 600;

export interface RuntimeContext {
  ctx: ServerContext;
  close(): Promise<void>;
}

export async function createContext(config: Config, log: Logger): Promise<RuntimeContext> {
  // Settings that can fail are read before the sandbox starts and announces itself.
  // Loaded only when configured: start-up stays free of catalog schemas otherwise.
  const profiles = config.aiProfiles || config.llmConfig || config.ttsConfig ? (await import('../ai-profiles.js')).loadAiProfiles(config) : undefined;
  const store = await openStore(config.store).catch((err: Error) => {
    throw new ConfigError(`Invalid setting --store: ${err.message}.`);
  });
  let credentials = cloudCredentials(config);
  let sandbox: ServerContext['sandbox'];
  let closeSandbox = async () => {};

  if (config.sandbox || !credentials) {
    const reason = config.sandbox ? `asked for by ${config.sources.sandbox ?? '--sandbox'}` : 'no Tencent Cloud credentials are configured';
    const { startSandbox } = await import('../sandbox/index.js');
    const sb = await startSandbox({
      world: readWorld(config.sandboxWorld), sdkSecretKey: config.sdkSecretKey, admins: [config.adminUserId], rateLimitScale: config.rateLimitScale, log,
    });
    const firstApp = [...sb.world.apps.values()][0]!;
    const account = sb.accounts[0]!;
    credentials = { secretId: account.secretId, secretKey: account.secretKey, source: 'sandbox' } satisfies Credentials;
    addSecret(account.secretKey);
    addSecret(firstApp.sdkSecretKey);
    config = {
      ...config,
      endpoint: sb.url,
      restEndpoint: sb.url,
      sdkAppId: config.sdkAppId ?? firstApp.sdkAppId,
      sdkSecretKey: config.sdkSecretKey ?? (sb.world.apps.get(config.sdkAppId ?? firstApp.sdkAppId)?.sdkSecretKey),
    };
    sandbox = { reason, world: () => sb.world.snapshot() };
    closeSandbox = sb.close;
    log.warn(`SANDBOX MODE (${reason}): tools act on a local TRTC emulator, not on Tencent Cloud`, { sandbox: sb.url, sdkAppId: config.sdkAppId });
  }

  const creds = credentials;
  if (!sandbox) log.info('using Tencent Cloud credentials', { from: creds.source, secretId: creds.secretId });
  const gate = new RateGate(config.rateLimitWaitMs, config.rateLimitScale);
  const cloud = new CloudApiCaller({
    gate,
    endpoint: config.endpoint ?? `https://${config.domain}/`,
    credentials: () => creds,
    region: config.region,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    log,
    client: `trtc-mcp/${VERSION}`,
  });
  const rest = new RestApiCaller({
    gate,
    endpoint: config.restEndpoint ?? `https://${REST_HOSTS[config.restRegion]}/`,
    sdkAppId: config.sdkAppId,
    adminUserId: config.adminUserId,
    sdkSecretKey: config.sdkSecretKey,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    log,
  });
  const { sdkAppId: defaultApp, sdkSecretKey } = config;
  const wireEnv = (sdkAppId: number | undefined) => ({
    sdkAppId,
    now: Date.now,
    profiles,
    // The SDK secret key belongs to the configured app, so only that app's users can be minted for.
    mintUserSig:
      sdkSecretKey && sdkAppId !== undefined && sdkAppId === defaultApp
        ? (userId: string) => genUserSig({ sdkAppId, secretKey: sdkSecretKey, userId, expireSeconds: MINTED_USERSIG_TTL_S })
        : undefined,
  });
  // Tokens stay valid across restarts and replicas that share the key; by default it derives from the SecretKey.
  const tokenKey = createHmac('sha256', config.confirmSecret ?? creds.secretKey).update('trtc-mcp confirmation tokens').digest();
  const ctx: ServerContext = {
    config,
    log,
    callers: { cloud, rest },
    wireEnv,
    tokens: new ConfirmationTokens(tokenKey, config.confirmTtl),
    audit: new AuditLog(config.auditLog),
    store,
    sandbox,
  };
  return {
    ctx,
    close: async () => {
      await store.close();
      await closeSandbox();
    },
  };
}

function readWorld(path: string | undefined) {
  if (!path) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Invalid setting --sandbox-world: cannot read ${path} as JSON (${(err as Error).message}).`);
  }
}
