// Opens the store that a `--store` setting names: a directory (the default, embedded), or `memory`.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileStore } from './file.js';
import { MemoryStore } from './memory.js';
import { silentLogger, type Logger } from '../log.js';
import { addSecret } from '../redact.js';
import type { Store } from './store.js';

export type { Store } from './store.js';
export { NS, StoreUnavailableError } from './store.js';

/** Where the embedded store lives when no --store is given: the XDG state directory. */
export function defaultStoreDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'trtc-mcp');
}

/**
 * The store a process uses: the one set (--store, TRTC_MCP_STORE); else, for the sandbox, this process's memory,
 * since its world starts afresh each time and must not meet what another process (a sandbox or a real-mode server)
 * keeps; else the embedded store in the user's state directory.
 */
export const storeFor = (spec: string | undefined, sandbox: boolean): string | undefined => spec ?? (sandbox ? 'memory' : undefined);

/** `memory`, `redis://...` (or `rediss://`), `file:<dir>` or a plain directory path. */
export async function openStore(spec: string | undefined, log: Logger = silentLogger, now: () => number = Date.now): Promise<Store> {
  if (spec === 'memory') return new MemoryStore(now);
  if (spec && /^rediss?:\/\//.test(spec)) {
    const password = new URL(spec).password;
    if (password) addSecret(decodeURIComponent(password));
    // Loaded only when configured, so that single-host start-up does not parse the Redis client.
    const { RedisStore } = await import('./redis.js');
    const store = await new RedisStore(spec, log, now).opened();
    log.info('state store', { kind: store.kind, location: store.location });
    return store;
  }
  const dir = spec === undefined ? defaultStoreDir() : resolve(spec.startsWith('file:') ? spec.slice('file:'.length) : spec);
  const store = new FileStore(dir, now);
  await store.ping();
  return store;
}
