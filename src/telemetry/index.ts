// The telemetry hooks the rest of the server calls: one narrow interface, a no-op unless the operator configured
// OpenTelemetry export (OTEL_* variables). The OpenTelemetry SDK is loaded only then (sdk.ts), so that with telemetry
// off a start loads none of it and a call pays a few function calls. What each hook emits: docs/observability.md.
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';

/** What a tool call through the pipeline came to (the audit record's outcome, its effect and consent). */
export interface ToolOutcome {
  outcome: string;
  effect: string;
  consent: string;
  app?: number;
  /** The validated arguments: only room and user IDs are taken from them, and only when the operator opts in. */
  args: Record<string, unknown>;
  requestId?: string;
}

/** One Tencent API request, whatever the family. */
export interface ApiCallInfo {
  family: 'cloud' | 'rest';
  /** The Cloud API action, or the REST `service/command`. */
  action: string;
  host: string;
  /** The Cloud API region and site the request is sent for. */
  region?: string;
  site?: string;
}

/** What the callback receiver learnt of one callback, filled in as it goes. */
export interface CallbackNote {
  outcome?: 'stored' | 'duplicate' | 'out-of-scope' | 'refused' | 'error';
  reason?: string;
  app?: number;
  group?: number;
  type?: number;
  room?: unknown;
  user?: unknown;
}

/** What a scope check decided, as far as telemetry reads it. */
export interface ScopeVerdictLike {
  refusal?: string;
  resolved: { ledger: number; lookup: number };
}

/** An MCP server instance of either SDK line: its connect() receives each transport it serves. */
export interface Connectable {
  connect(transport: never): Promise<void>;
}

export interface Telemetry {
  /** Traces every request this MCP server instance receives, whatever the era and transport. */
  server<S extends Connectable>(server: S): S;
  /** Runs one catalog tool's steps inside its span. */
  tool<T>(name: string, run: () => Promise<T>): Promise<T>;
  /** Records how the current tool call ended. */
  toolOutcome(tool: string, outcome: ToolOutcome): void;
  scope<T extends ScopeVerdictLike>(check: () => Promise<T>): Promise<T>;
  /** `channel` is how the session reaches its human; `tokenPresented`, whether the call carried a confirmation token. */
  consent<T extends { granted: boolean; how: string }>(tool: string, channel: string, tokenPresented: boolean, decide: () => Promise<T>): Promise<T>;
  /** One API call, retries included. */
  apiCall<T>(info: ApiCallInfo, send: () => Promise<T>): Promise<T>;
  /** Called as one HTTP attempt of the current API call starts; the function it returns takes the status it ended with. */
  httpAttempt(): (status: number | undefined) => void;
  /** A wait for a slot under an action's rate limit. */
  rateLimit<T>(key: string, wait: () => Promise<T>): Promise<T>;
  /** The state store, with every operation timed and, inside a traced request, spanned. */
  store(store: Store): Store;
  /** One TRTC callback received; `receive` fills in the note. */
  callback(receive: (note: CallbackNote) => Promise<void>): Promise<void>;
  /** A task's status changed (working, input_required, completed, failed, cancelled). */
  taskStatus(status: string, detail?: { tool?: string; previous?: string }): void;
  /** Sends what is pending, waiting a bounded time. */
  shutdown(): Promise<void>;
}

const ignore = () => undefined;

export const TELEMETRY_OFF: Telemetry = {
  server: (server) => server,
  tool: (_name, run) => run(),
  toolOutcome: ignore,
  scope: (check) => check(),
  consent: (_tool, _channel, _token, decide) => decide(),
  apiCall: (_info, send) => send(),
  httpAttempt: () => ignore,
  rateLimit: (_key, wait) => wait(),
  store: (store) => store,
  callback: (receive) => receive({}),
  taskStatus: ignore,
  shutdown: async () => undefined,
};

/** The hooks in force: TELEMETRY_OFF until startTelemetry() has loaded the SDK. */
export let telemetry: Telemetry = TELEMETRY_OFF;

export type Signal = 'traces' | 'metrics';

/**
 * The signals the configuration asks to export: a signal is on when an OTLP endpoint is set for it (its own or the
 * shared one) or its exporter is named `otlp`, unless its exporter is `none` or OTEL_SDK_DISABLED is true.
 */
export function signalsWanted(config: Config): Signal[] {
  if (config.otelSdkDisabled) return [];
  const on = (exporter: string | undefined, endpoint: string | undefined): boolean =>
    exporter !== 'none' && (exporter === 'otlp' || endpoint !== undefined || config.otelEndpoint !== undefined);
  return [
    ...(on(config.otelTracesExporter, config.otelTracesEndpoint) ? ['traces' as const] : []),
    ...(on(config.otelMetricsExporter, config.otelMetricsEndpoint) ? ['metrics' as const] : []),
  ];
}

/** Loads the OpenTelemetry SDK and switches the hooks on, when the configuration asks for export. */
export async function startTelemetry(config: Config, log: Logger): Promise<void> {
  const signals = signalsWanted(config);
  if (!signals.length) return;
  const { openTelemetry } = await import('./sdk.js');
  telemetry = openTelemetry(config, signals, log);
}
