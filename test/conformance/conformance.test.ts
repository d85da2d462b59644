// The official MCP conformance suite (@modelcontextprotocol/conformance, server mode) against our Streamable HTTP
// endpoint, with the sandbox as the cloud, once per protocol era: the scenarios the 2025-11-25 revision requires
// (the initialize handshake, sessions) and those the 2026-07-28 revision requires (stateless, per-request _meta),
// both against the same server and the same /mcp. Every scenario must pass, except those listed for its era in
// expected-failures.json, which only fit the suite's own fixture server: each of those must fail, and for the
// reason the file gives, so that the file stays honest in both directions.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { capture, sandboxEnv, spawnHttp, withSandbox, type SpawnedHttp } from '../helpers.js';
import { binOf, runTool, type Run } from './tools.js';

interface Check {
  id: string;
  status: string;
  errorMessage?: string;
}

const REVISIONS = ['2025-11-25', '2026-07-28'] as const;
type Revision = (typeof REVISIONS)[number];

const expectedFor = (JSON.parse(readFileSync(new URL('./expected-failures.json', import.meta.url), 'utf8')) as {
  server: Record<Revision, Record<string, { reason: string; failsWith: string }>>;
}).server;

let sb: Sandbox;
let srv: SpawnedHttp;
const scratch: string[] = [];

beforeAll(async () => {
  sb = await withSandbox();
  // Every toolset, so that the tools-list scenarios check the whole catalog.
  srv = await spawnHttp(['--toolsets', 'all'], sandboxEnv(sb));
});

afterAll(async () => {
  await srv?.stop();
  await sb?.close();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe.each(REVISIONS)('the official MCP conformance suite, --requirements %s, over Streamable HTTP', (revision) => {
  const expected = expectedFor[revision];
  let run: Run;
  let scenarios: string[] = [];
  const results = new Map<string, Check[]>();

  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'mcp-conformance-'));
    scratch.push(out);
    // The suite's own baseline check as well: it fails on an unexpected failure and on a listed scenario that passes.
    const baseline = join(out, 'baseline.yml');
    writeFileSync(baseline, `server:\n${Object.keys(expected).map((s) => `  - ${s}\n`).join('')}`);
    run = await runTool(binOf('@modelcontextprotocol/conformance', 'conformance'), [
      'server', '--url', `${srv.url}/mcp`, '--requirements', revision, '--expected-failures', baseline, '--output-dir', out,
    ], 120_000);
    capture(run.stdout + run.stderr);
    scenarios = [...run.stdout.matchAll(/^=== Running scenario: (\S+) ===$/gm)].map((m) => m[1]!);
    // One directory per scenario: server-<scenario>-<timestamp>/checks.json.
    for (const dir of readdirSync(out)) {
      const m = /^server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z$/.exec(dir);
      if (!m) continue;
      const checks = readFileSync(join(out, dir, 'checks.json'), 'utf8');
      capture(checks);
      results.set(m[1]!, JSON.parse(checks) as Check[]);
    }
  }, 150_000);

  /** The suite's own rule: a scenario fails when any of its checks is a FAILURE or a WARNING. */
  const problems = (scenario: string): string[] => {
    const checks = results.get(scenario);
    if (!checks) return ['no results were written'];
    return checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING').map((c) => `${c.id} ${c.status}: ${c.errorMessage ?? ''}`);
  };

  it('runs every scenario, and the suite agrees with expected-failures.json', () => {
    expect(scenarios.length, run.stdout + run.stderr).toBeGreaterThan(0);
    expect(scenarios.filter((s) => !results.has(s)), 'scenarios without results').toEqual([]);
    expect(Object.keys(expected).filter((s) => !scenarios.includes(s)), 'listed scenarios the suite no longer runs').toEqual([]);
    const passed = scenarios.filter((s) => problems(s).length === 0);
    process.stdout.write(`conformance ${revision}: ${passed.length} passed (${passed.join(', ')}); ${scenarios.length - passed.length} expected failures\n`);
    expect(run.code, run.stdout.slice(-2000)).toBe(0);
  });

  it('passes every scenario that applies to a product server', () => {
    const unexpected = scenarios.filter((s) => !(s in expected)).flatMap((s) => problems(s).map((p) => `${s}: ${p}`));
    expect(unexpected).toEqual([]);
  });

  it('fails each fixture-only scenario, and for the reason expected-failures.json gives', () => {
    const wrong = Object.entries(expected).flatMap(([s, { failsWith }]) => {
      const found = problems(s);
      if (found.length === 0) return [`${s} passes now: remove it from expected-failures.json`];
      return found.some((p) => p.includes(failsWith)) ? [] : [`${s} fails for another reason than "${failsWith}": ${found.join('; ')}`];
    });
    expect(wrong).toEqual([]);
  });
});
