// An OTLP/HTTP collector for the tests, on a loopback port: it takes what the server exports to /v1/traces and
// /v1/metrics, decodes OTLP/JSON (the server runs with OTEL_EXPORTER_OTLP_PROTOCOL=http/json) and hands back spans
// and metric points as plain objects. Every decoded export also goes through capture(), so the suite's secret sweep
// reads what the server exported. It can also stand for a collector that is down: answering 503, or holding every
// request open without an answer.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { capture } from './helpers.js';

type Value = string | number | boolean | Value[] | undefined;
export type Attrs = Record<string, Value>;

export interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Attrs;
  status: { code?: number; message?: string };
  events: Array<{ name: string; attributes: Attrs }>;
  links: Array<{ traceId: string; spanId: string }>;
  resource: Attrs;
}

export interface MetricPoint {
  name: string;
  unit?: string;
  attributes: Attrs;
  /** Histograms: how many values were recorded. */
  count?: number;
  /** Sums and gauges. */
  value?: number;
}

export interface Received {
  path: string;
  contentType: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type CollectorMode = 'ok' | 'unavailable' | 'hang';

export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;

interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
}

const anyValue = (v: OtlpAnyValue): Value =>
  v.stringValue ?? v.boolValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.doubleValue ?? (v.arrayValue ? (v.arrayValue.values ?? []).map(anyValue) : undefined));
const attrs = (list: OtlpKeyValue[] | undefined): Attrs => Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]));

export class Collector {
  readonly received: Received[] = [];
  mode: CollectorMode = 'ok';
  private readonly spanList: ExportedSpan[] = [];
  /** The newest point of each metric stream (the server exports cumulative totals). */
  private readonly points = new Map<string, MetricPoint>();
  private readonly held = new Set<http.ServerResponse>();

  private constructor(private readonly server: http.Server, readonly url: string) {}

  static async start(): Promise<Collector> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const c = new Collector(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => void c.handle(req, res));
    return c;
  }

  /** Requests held open without an answer (mode 'hang'). */
  get pending(): number {
    return this.held.size;
  }

  spans(): ExportedSpan[] {
    return [...this.spanList];
  }

  metrics(name?: string): MetricPoint[] {
    return [...this.points.values()].filter((p) => !name || p.name === name);
  }

  /** The newest point of `name` whose attributes include all of `match`. */
  point(name: string, match: Attrs = {}): MetricPoint | undefined {
    return this.metrics(name).find((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
  }

  /** Polls until `done` holds (the server exports in batches, on its own schedule). */
  async waitFor<T>(what: string, done: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = done();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`the collector never saw ${what}; spans: ${this.spanList.map((s) => s.name).join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.held.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const contentType = String(req.headers['content-type'] ?? '');
    this.received.push({ path: req.url ?? '', contentType, headers: req.headers, body });
    if (this.mode === 'hang') {
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      return;
    }
    if (this.mode === 'unavailable') {
      res.writeHead(503).end();
      return;
    }
    if (contentType.includes('json')) {
      const decoded = JSON.parse(body.toString('utf8'));
      capture(JSON.stringify(decoded));
      if (req.url === '/v1/traces') this.addSpans(decoded);
      if (req.url === '/v1/metrics') this.addMetrics(decoded);
    } else capture(body.toString('latin1'));
    res.writeHead(200, { 'content-type': contentType || 'application/json' }).end(contentType.includes('json') ? '{}' : undefined);
  }

  private addSpans(decoded: { resourceSpans?: Array<{ resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: Array<{ spans?: any[] }> }> }): void {
    for (const rs of decoded.resourceSpans ?? []) {
      const resource = attrs(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spanList.push({
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId || undefined,
            name: s.name,
            kind: s.kind,
            attributes: attrs(s.attributes),
            status: s.status ?? {},
            events: (s.events ?? []).map((e: { name: string; attributes?: OtlpKeyValue[] }) => ({ name: e.name, attributes: attrs(e.attributes) })),
            links: (s.links ?? []).map((l: { traceId: string; spanId: string }) => ({ traceId: l.traceId, spanId: l.spanId })),
            resource,
          });
        }
      }
    }
  }

  private addMetrics(decoded: { resourceMetrics?: Array<{ scopeMetrics?: Array<{ metrics?: any[] }> }> }): void {
    for (const rm of decoded.resourceMetrics ?? []) {
      for (const sm of rm.scopeMetrics ?? []) {
        for (const m of sm.metrics ?? []) {
          const points = m.histogram?.dataPoints ?? m.sum?.dataPoints ?? m.gauge?.dataPoints ?? [];
          for (const p of points) {
            const attributes = attrs(p.attributes);
            const point: MetricPoint = { name: m.name, unit: m.unit, attributes };
            if (m.histogram) point.count = Number(p.count);
            else point.value = Number(p.asInt ?? p.asDouble);
            this.points.set(`${m.name}\n${JSON.stringify(Object.entries(attributes).sort())}`, point);
          }
        }
      }
    }
  }
}

/** A W3C traceparent for a client span of `traceId`. */
export const traceparent = (traceId: string, spanId: string) => `00-${traceId}-${spanId}-01`;

/** Random IDs as a client's tracer makes them. */
export const randomId = (bytes: number) => [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
