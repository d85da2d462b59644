// The server proper: argv + environment -> configuration -> the MCP server on a transport, or the standalone sandbox.
import { ConfigError, helpText, loadConfig, loadSandboxConfig, sandboxHelpText, startupWarnings, wantsHelp } from './config.js';
import { registerConfiguredSecrets } from './credentials.js';
import { createLogger, escapeControls } from './log.js';
import { createContext } from './server/context.js';
import { loadManifest } from './server/registry.js';
import type { ServerContext } from './server/pipeline.js';
import type { ManifestTool } from './server/tool-list.js';
import type { Policy } from './guardrails/policy.js';
import { selectTools } from './guardrails/exposure.js';
import type { Cores } from './server/core.js';
import { VERSION } from './version.js';
import { accessConfig, type Scope } from './guardrails/access.js';
import { OPERATOR, type Identity } from './guardrails/identity.js';
import { startTelemetry, telemetry, TELEMETRY_OFF } from './telemetry/index.js';

async function serve(argv: string[]): Promise<void> {
  if (wantsHelp(argv)) return void process.stdout.write(helpText(VERSION));
  if (argv.includes('--version')) return void process.stdout.write(`${VERSION}\n`);
  const config = loadConfig(argv);
  registerConfiguredSecrets(config);
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  for (const warning of startupWarnings(config)) log.warn(warning);
  // Loaded only when OTEL_* settings ask for it, and before anything it traces is built.
  const telemetryStarted = startTelemetry(config, log);
  // Every setting is checked before anything starts (the sandbox, a port).
  const manifest = await loadManifest();
  selectTools(manifest, config);
  const policy = config.oauthPolicy ? (await import('./guardrails/policy.js')).loadPolicy(config.oauthPolicy, manifest, config) : undefined;
  // On stdio the client's first message decides the protocol era: read it while the context starts.
  const stdio = config.transport === 'stdio' ? (await import('./transports/stdio.js')).listenStdio(log) : undefined;
  await telemetryStarted;
  const runtime = await createContext(config, log);
  const { setUpCallbacks } = await import('./events/setup.js');
  const callbacks = await setUpCallbacks(runtime.ctx, config, log);
  // Who sent an HTTP request: the MCP paths and the approval page ask the same authenticator.
  const auth = config.transport === 'http' ? (await import('./auth/edge.js')).createAuthenticator({ config, policy, log }) : undefined;
  const approvals = runtime.ctx.approvals ? await (await import('./transports/approval-setup.js')).setUpApprovals(runtime.ctx, config, log, auth) : undefined;
  // What each identity is answered with: on stdio and without OAuth, only the operator is ever asked for. Built
  // once stdio has given its early answers, which need none of it.
  let cores: Promise<Cores> | undefined;
  const coresOf = () => (cores ??= import('./server/core.js').then((m) => m.createCores(runtime.ctx, manifest, policy)));
  // Each protocol era's SDK line is loaded only when a client speaks it.
  const legacyServers = async () => {
    const [{ createMcpServer }, all] = await Promise.all([import('./server/server.js'), coresOf()]);
    return (identity?: Identity) => createMcpServer(runtime.ctx, all, identity);
  };
  const modernServers = async () => {
    const [{ modernServers: servers }, all] = await Promise.all([import('./server/modern.js'), coresOf()]);
    return servers(runtime.ctx, all);
  };

  let stop: () => Promise<void>;
  if (stdio) {
    // Started by hand in a terminal: say what the silence is waiting for (stderr: stdout carries only JSON-RPC).
    if (process.stdin.isTTY) {
      log.info(`waiting for an MCP client on stdin. Clients start this server themselves (see "Connecting a client" in the README); to try it by hand: npx @modelcontextprotocol/inspector node ${process.argv[1]}`);
    }
    stop = await stdio.serve({ legacy: async () => (await legacyServers())(), modern: modernServers, early: await earlyAnswers(runtime.ctx, manifest, policy) });
    // A turn of the event loop first, so that what was sent just before the close and is answered at once still is.
    void stdio.ended.then(() => setImmediate(() => void shutdown('stdin closed')));
  } else {
    const { serveHttp } = await import('./transports/http.js');
    const { listening } = await import('./transports/listen.js');
    const all = await coresOf();
    const handle = await listening(serveHttp({
      host: config.host,
      port: config.port,
      log,
      newServer: await legacyServers(),
      newModernServer: await modernServers(),
      auth: auth!,
      scopeOf: auth!.mode === 'oauth' ? scopeOfMessage : undefined,
      allowedHosts: approvals?.names.hosts ?? config.allowedHosts,
      allowedOrigins: approvals?.names.origins ?? config.allowedOrigins,
      maxBodyBytes: config.maxBodyBytes,
      maxSessions: config.maxSessions,
      idleTimeoutMs: config.sessionIdle * 1000,
      replica: config.replicaId,
      store: runtime.ctx.store,
      streamFor: (await import('./server/tasks.js')).taskListen((identity) => all(identity).jobs),
      routes: callbacks.route && { [(await import('./events/receiver.js')).CALLBACK_PATH]: callbacks.route },
      pages: approvals?.pages,
    }), config.host, config.port, '--port');
    callbacks.servedAt(handle.url);
    approvals?.servedAt(handle.url);
    stop = handle.close;
  }

  let stopping = false;
  async function shutdown(why: string) {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { why });
    await stop().catch(() => undefined);
    await callbacks.close().catch(() => undefined);
    await approvals?.close().catch(() => undefined);
    await runtime.close();
    await telemetry.shutdown();
    process.exit(0);
  }
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/**
 * The stdio answers that need no SDK (server/early.ts), for the operator, when its answers are the server's own:
 * not with telemetry on, which traces every request through the SDK, nor when a policy narrows the operator.
 */
async function earlyAnswers(ctx: ServerContext, manifest: ManifestTool[], policy: Policy | undefined) {
  if (telemetry !== TELEMETRY_OFF || accessConfig(ctx.config, OPERATOR, policy, ctx.config.identityRateShare) !== ctx.config) return undefined;
  const { earlyAnswers: answers } = await import('./server/early.js');
  const tools = selectTools(manifest, ctx.config);
  return (modern: boolean) => answers(ctx, tools, manifest, modern);
}

/** The scope a message needs, by the effect of what it asks for (guardrails/access.ts). */
async function scopeOfMessage(message: unknown): Promise<{ scope: Scope; why: string }> {
  const { asked, scopeFor } = await import('./guardrails/access.js');
  const { loadCatalog } = await import('./server/registry.js');
  const { effect, tool } = await asked(message, loadCatalog);
  return { scope: scopeFor(effect), why: tool ? `${tool} with these arguments (${effect})` : 'this request' };
}

async function sandbox(argv: string[]): Promise<void> {
  if (wantsHelp(argv)) return void process.stdout.write(sandboxHelpText(VERSION));
  const cfg = loadSandboxConfig(argv);
  const log = createLogger({ level: cfg.logLevel, format: cfg.logFormat });
  const { randomBytes } = await import('node:crypto');
  const { startSandbox } = await import('./sandbox/index.js');
  const { DEFAULT_WORLD, readWorldFile, withApp } = await import('./sandbox/world.js');
  const world = withApp(cfg.world ? readWorldFile(cfg.world, '--world') : DEFAULT_WORLD, cfg.sdkAppId);
  const account = {
    secretId: cfg.secretId ?? `sandbox-${randomBytes(6).toString('hex')}`,
    secretKey: cfg.secretKey ?? randomBytes(24).toString('base64url'),
  };
  const callbackKey = cfg.callbackKey ?? randomBytes(24).toString('hex');
  const callbacks = cfg.callbackUrl ? { url: cfg.callbackUrl, key: callbackKey } : undefined;
  const { listening } = await import('./transports/listen.js');
  const sb = await listening(startSandbox({ host: cfg.host, port: cfg.port, world, accounts: [account], sdkSecretKey: cfg.sdkSecretKey, rateLimitScale: cfg.rateLimitScale, site: cfg.site, log, callbacks, allowedHosts: cfg.allowedHosts }), cfg.host, cfg.port, '--port');
  const app = [...sb.world.apps.values()][0]!;
  const generated = (given: unknown) => (given ? '' : ' (generated for this run)');
  process.stdout.write(
    [
      `trtc-mcp sandbox listening on ${sb.url} (${cfg.site} site)`,
      `  SecretId:      ${account.secretId}`,
      `  SecretKey:     ${cfg.secretKey ? '(as given)' : `${account.secretKey}${generated(cfg.secretKey)}`}`,
      `  SdkAppId:      ${app.sdkAppId}`,
      `  SDK secret key: ${cfg.sdkSecretKey ? '(as given)' : `${app.sdkSecretKey}${generated(cfg.sdkSecretKey)}`}`,
      `  World:         ${sb.url}_sandbox/world`,
      ...(callbacks ? [`  Callbacks to:  ${callbacks.url}`, `  Callback key:  ${cfg.callbackKey ? '(as given)' : `${callbackKey} (generated for this run)`}`] : []),
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await sb.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

const argv = process.argv.slice(2);
const run = argv[0] === 'sandbox' ? sandbox(argv.slice(1)) : serve(argv);
run.catch((err: unknown) => {
  const message = err instanceof ConfigError ? err.message : `trtc-mcp failed to start: ${(err as Error)?.stack ?? String(err)}`;
  // A setting's value may be quoted in the message: what it holds must not drive the terminal.
  process.stderr.write(`${escapeControls(message)}\n`);
  process.exit(2);
});
