// The replica-set example of docs/deploy.md, checked without a container engine: docs/deploy/compose.yaml parses,
// has the structure the guide describes, and every replica's command line and environment is a configuration the
// server accepts; the HAProxy configuration it mounts routes to those replicas and keeps legacy sessions sticky.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../src/config.js';

const DIR = fileURLToPath(new URL('../docs/deploy/', import.meta.url));
const ENV: Record<string, string> = {
  REDIS_PASSWORD: 'redis-password-for-the-example',
  TRTC_MCP_CONFIRM_SECRET: 'confirm-secret-for-the-example',
  TRTC_MCP_AUTH_TOKEN: 'auth-token-for-the-example',
  TENCENTCLOUD_SECRET_ID: 'AKIDexample',
  TENCENTCLOUD_SECRET_KEY: 'secret-key-for-the-example',
  TRTC_SDK_APP_ID: '1400000001',
};

/** Compose's interpolation of each string value: ${VAR}, ${VAR:-default}, ${VAR:?error} and $$ for a literal $. */
function interpolate(value: unknown, env: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  return typeof value === 'string' ? interpolateText(value, env) : value;
}

function interpolateText(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{(\w+)(?:(:-|:\?)([^}]*))?\}/g, (whole, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (whole === '$$') return '$';
    const value = env[name!];
    if (value) return value;
    if (op === ':?') throw new Error(`${name} is required: ${arg}`);
    return op === ':-' ? arg! : '';
  });
}

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: string[];
}

const raw = parse(readFileSync(`${DIR}compose.yaml`, 'utf8'), { merge: true }) as unknown;
const compose = interpolate(raw, ENV) as { services: Record<string, Service> };
const services = compose.services;
const replicas = Object.entries(services).filter(([name]) => name.startsWith('replica-'));
const haproxy = readFileSync(`${DIR}haproxy.cfg`, 'utf8');

describe('the compose example of a replica set', () => {
  it('refuses to start without the secrets it needs, and names them', () => {
    expect(() => interpolate(raw, { ...ENV, REDIS_PASSWORD: '' })).toThrow(/REDIS_PASSWORD is required/);
    expect(() => interpolate(raw, { ...ENV, TRTC_MCP_CONFIRM_SECRET: '' })).toThrow(/TRTC_MCP_CONFIRM_SECRET is required/);
  });

  it('has Redis, three replicas and a balancer, each with an image', () => {
    expect(Object.keys(services).sort()).toEqual(['balancer', 'redis', 'replica-1', 'replica-2', 'replica-3']);
    for (const [name, s] of Object.entries(services)) expect(s.image, name).toMatch(/^[\w./-]+:[\w.-]+$/);
    expect(services.redis!.command!.join(' ')).toContain('--appendonly yes');
    expect(services.redis!.healthcheck!.test.join(' ')).toContain('redis-cli ping');
  });

  it('runs every replica with a configuration the server accepts, sharing the store and the consent secret', () => {
    const configs = replicas.map(([name, s]) => {
      expect(s.command!.slice(0, 2), name).toEqual(['node', 'dist/cli.js']);
      const config = loadConfig(s.command!.slice(2), s.environment!);
      expect(config, name).toMatchObject({ transport: 'http', host: '0.0.0.0', authToken: ENV.TRTC_MCP_AUTH_TOKEN, replicaId: name });
      // The Redis password comes from the environment, never the command line.
      expect(config.sources.store).toBe('TRTC_MCP_STORE');
      expect(s.command!.join(' ')).not.toContain(ENV.REDIS_PASSWORD);
      expect(s.depends_on!.redis).toEqual({ condition: 'service_healthy' });
      // Ready only once it reaches Redis, on the port it serves.
      expect(s.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${config.port}/readyz`);
      return config;
    });
    expect(configs).toHaveLength(3);
    expect(new Set(configs.map((c) => c.store))).toEqual(new Set([`redis://:${ENV.REDIS_PASSWORD}@redis:6379/0`]));
    expect(new Set(configs.map((c) => c.confirmSecret))).toEqual(new Set([ENV.TRTC_MCP_CONFIRM_SECRET]));
    expect(new Set(configs.map((c) => c.replicaId)).size).toBe(3);
    // The checkout the replicas run from is the one this file lives in.
    for (const [, s] of replicas) expect(s.volumes).toEqual(['../..:/app:ro']);
    expect(JSON.parse(readFileSync(`${DIR}../../package.json`, 'utf8')).name).toBe('trtc-mcp');
  });

  it('starts the balancer once every replica is ready, with the HAProxy configuration next to it', () => {
    const balancer = services.balancer!;
    expect(balancer.depends_on).toEqual(Object.fromEntries(replicas.map(([name]) => [name, { condition: 'service_healthy' }])));
    const [source] = balancer.volumes![0]!.split(':');
    expect(existsSync(`${DIR}${source}`)).toBe(true);
    expect(balancer.ports).toEqual(['3000:3000']);
    expect(haproxy).toMatch(/^\s*bind :3000$/m);
  });

  it('routes to every replica on its port, checks their liveness, and keeps legacy sessions on their replica', () => {
    const servers = [...haproxy.matchAll(/^\s*server (\S+) (\S+):(\d+) check\b/gm)].map((m) => [m[1], m[2], Number(m[3])]);
    expect(servers).toEqual(replicas.map(([name, s]) => [name, name, loadConfig(s.command!.slice(2), s.environment!).port]));
    expect(haproxy).toMatch(/^\s*balance roundrobin$/m);
    expect(haproxy).toMatch(/^\s*http-check send meth GET uri \/healthz ver HTTP\/1\.1 hdr Host localhost$/m);
    expect(haproxy).toMatch(/^\s*stick store-response res\.hdr\(mcp-session-id\)$/m);
    expect(haproxy).toMatch(/^\s*stick match req\.hdr\(mcp-session-id\)$/m);
  });
});
