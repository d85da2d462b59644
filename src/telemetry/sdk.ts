// The OpenTelemetry SDK as the standard OTEL_* variables configure it: OTLP/HTTP exporters (protobuf or JSON), a
// batching span processor, a periodic metric reader, and the resource from OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES. Loaded only when telemetry is configured (index.ts). A collector that cannot be reached
// never holds up a call: exports run in the background, spans wait in a bounded queue (OTEL_BSP_MAX_QUEUE_SIZE) and
// are dropped when it is full, and the outage is logged once.
import { context, createNoopMeter, diag, DiagLogLevel, trace, type DiagLogger } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, getNumberFromEnv, parseKeyPairsIntoRecord, setGlobalErrorHandler, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { addSecret } from '../redact.js';
import { VERSION } from '../version.js';
import { Hooks } from './hooks.js';
import type { Signal, Telemetry } from './index.js';

/** The longest a shutdown waits for the last exports. */
const SHUTDOWN_MS = 2_000;
const DEFAULT_ENDPOINT = 'http://localhost:4318/';

export function openTelemetry(config: Config, signals: readonly Signal[], log: Logger): Telemetry {
  keepHeadersSecret(config);
  const health = new ExportHealth(log, getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE') ?? 2048);
  diag.setLogger(health, DiagLogLevel.WARN);
  setGlobalErrorHandler((err) => health.trouble((err as Error)?.message ?? String(err)));
  // Spans follow a request across awaits, so that the API, store and consent spans find their tool call.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'trtc-mcp', 'service.version': VERSION, 'service.instance.id': config.replicaId }))
    .merge(detectResources({ detectors: [envDetector] }));
  const json = config.otelProtocol === 'http/json';
  const traces = signals.includes('traces')
    ? new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(health.watch(json ? new JsonTraceExporter() : new ProtoTraceExporter()))] })
    : undefined;
  const interval = getNumberFromEnv('OTEL_METRIC_EXPORT_INTERVAL') ?? 60_000;
  const metrics = signals.includes('metrics')
    ? new MeterProvider({
        resource,
        readers: [
          new PeriodicExportingMetricReader({
            exporter: health.watch(json ? new JsonMetricExporter() : new ProtoMetricExporter()),
            exportIntervalMillis: interval,
            exportTimeoutMillis: Math.min(getNumberFromEnv('OTEL_METRIC_EXPORT_TIMEOUT') ?? 30_000, interval),
          }),
        ],
      })
    : undefined;

  log.info('exporting telemetry', {
    protocol: config.otelProtocol,
    traces: traces && shownUrl(config.otelTracesEndpoint ?? new URL('v1/traces', withSlash(config.otelEndpoint ?? DEFAULT_ENDPOINT)).href),
    metrics: metrics && shownUrl(config.otelMetricsEndpoint ?? new URL('v1/metrics', withSlash(config.otelEndpoint ?? DEFAULT_ENDPOINT)).href),
    ids: config.otelRecordIds ? 'recorded' : undefined,
  });
  const shutdown = async () => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([traces?.shutdown(), metrics?.shutdown()]),
      new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_MS).unref())),
    ]);
    clearTimeout(timer);
  };
  return new Hooks({
    tracer: (traces ?? trace).getTracer('trtc-mcp', VERSION),
    meter: metrics?.getMeter('trtc-mcp', VERSION) ?? createNoopMeter(),
    transport: config.transport,
    recordIds: config.otelRecordIds,
    shutdown,
  });
}

/**
 * Knows whether exports succeed, and says so in the log once per outage: at the first failed export (or SDK
 * warning, such as spans dropped from a full queue), and again when an export succeeds after that.
 */
class ExportHealth implements DiagLogger {
  private failing = false;

  constructor(private readonly log: Logger, private readonly queue: number) {}

  /** Reports the results of an exporter's exports here. */
  watch<E extends { export(items: never, done: (result: ExportResult) => void): void }>(exporter: E): E {
    const send = exporter.export.bind(exporter) as (items: unknown, done: (result: ExportResult) => void) => void;
    (exporter as { export: unknown }).export = (items: unknown, done: (result: ExportResult) => void) =>
      send(items, (result) => {
        if (result.code === ExportResultCode.SUCCESS) this.recovered();
        else this.trouble(result.error?.message ?? 'export failed');
        done(result);
      });
    return exporter;
  }

  trouble(why: string): void {
    if (this.failing) return;
    this.failing = true;
    this.log.warn(
      `telemetry cannot be exported; tool calls go on, and what cannot be sent is dropped (at most ${this.queue} spans wait) until the collector answers`,
      { error: why },
    );
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.log.info('telemetry is exported again');
  }

  error = (message: string) => this.trouble(message);
  warn = (message: string) => this.trouble(message);
  info = () => undefined;
  debug = () => undefined;
  verbose = () => undefined;
}

/** A collector's API key travels in the export headers: it is masked wherever it could appear. */
function keepHeadersSecret(config: Config): void {
  for (const name of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'OTEL_EXPORTER_OTLP_METRICS_HEADERS']) {
    const raw = name === 'OTEL_EXPORTER_OTLP_HEADERS' ? config.otelHeaders : process.env[name];
    if (!raw) continue;
    addSecret(raw);
    for (const value of Object.values(parseKeyPairsIntoRecord(raw))) {
      addSecret(value);
      // "Bearer <token>": the token on its own too, never the scheme word.
      if (/\s/.test(value.trim())) addSecret(value.trim().split(/\s+/).pop());
    }
  }
  for (const url of [config.otelEndpoint, config.otelTracesEndpoint, config.otelMetricsEndpoint]) {
    if (url) addSecret(decodeURIComponent(new URL(url).password));
  }
}

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

/** An endpoint as the log shows it: without user and password. */
function shownUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.href;
}
