// The official MCP conformance suite (@modelcontextprotocol/conformance, server mode) against our Streamable HTTP
// endpoint, with the sandbox as the cloud, once per protocol era: the scenarios the 2025-11-25 revision requires
// (the initialize handshake, sessions) and those the 2026-07-28 revision requires (stateless, per-request _meta),
// both against the same server and the same /mcp. Every scenario must pass, except those listed for its era in
// expected-failures.json, which only fit the suite's own fixture server: each of those must fail, and for the
// reason the file gives, so that the file stays honest in both directions.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { capture, sandboxEnv, spawnHttp, withSandbox, type SpawnedHttp } from '../helpers.js';
import { startFixtureServer } from './fixtures.js';
import { binOf, runTool, type Run } from './tools.js';

interface Check {
  id: string;
  status: string;
  errorMessage?: string;
}

const REVISIONS = ['2025-11-25', '2026-07-28'] as const;
type Revision = (typeof REVISIONS)[number];

type Expected = Record<string, { reason: string; failsWith: string }>;
const expectations = JSON.parse(readFileSync(new URL('./expected-failures.json', import.meta.url), 'utf8')) as { server: Record<Revision, Expected>; tasksWithFixtures: Expected };
const expectedFor = expectations.server;

/** The suite's scenarios of the tasks extension (SEP-2663), run by name against the server with their fixture tools. */
const TASK_SCENARIOS = [
  'tasks-lifecycle', 'tasks-capability-negotiation', 'tasks-wire-fields', 'tasks-request-state-removal', 'tasks-mrtr-input',
  'tasks-request-headers', 'tasks-dispatch-and-envelope', 'tasks-status-notifications', 'tasks-required-task-error', 'tasks-mrtr-composition',
] as const;

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

/** One directory per scenario run: server-<scenario>-<timestamp>/checks.json. */
function readResults(out: string, into: Map<string, Check[]>): void {
  for (const dir of readdirSync(out)) {
    const m = /^server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z$/.exec(dir);
    if (!m || !existsSync(join(out, dir, 'checks.json'))) continue;
    const checks = readFileSync(join(out, dir, 'checks.json'), 'utf8');
    capture(checks);
    into.set(m[1]!, JSON.parse(checks) as Check[]);
  }
}

/** The suite's own rule: a scenario fails when any of its checks is a FAILURE or a WARNING. */
function problemsOf(results: Map<string, Check[]>, scenario: string): string[] {
  const checks = results.get(scenario);
  if (!checks) return ['no results were written'];
  return checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING').map((c) => `${c.id} ${c.status}: ${c.errorMessage ?? ''}`);
}

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
    readResults(out, results);
  }, 150_000);

  const problems = (scenario: string) => problemsOf(results, scenario);

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

describe('the tasks-* scenarios, by name, against the server with the suite\'s fixture tools added through its job machinery', () => {
  const expected = expectations.tasksWithFixtures;
  const results = new Map<string, Check[]>();
  const runs: Run[] = [];
  let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;

  beforeAll(async () => {
    fixtures = await startFixtureServer();
    const out = mkdtempSync(join(tmpdir(), 'mcp-conformance-tasks-'));
    scratch.push(out);
    for (const scenario of TASK_SCENARIOS) {
      const run = await runTool(binOf('@modelcontextprotocol/conformance', 'conformance'), [
        // An extension's scenarios are on no spec revision's timeline: --force runs them at 2026-07-28's wire.
        'server', '--url', `${fixtures.url}/mcp`, '--scenario', scenario, '--spec-version', '2026-07-28', '--force', '--output-dir', out,
      ], 60_000);
      capture(run.stdout + run.stderr);
      runs.push(run);
    }
    readResults(out, results);
  }, 300_000);
  afterAll(async () => {
    await fixtures?.close();
  });

  it('runs each of them, and passes every one not listed in expected-failures.json (tasksWithFixtures)', () => {
    expect(TASK_SCENARIOS.filter((s) => !results.has(s)), runs.map((r) => r.stdout + r.stderr).join('\n').slice(-3000)).toEqual([]);
    const passed = TASK_SCENARIOS.filter((s) => problemsOf(results, s).length === 0);
    const checks = TASK_SCENARIOS.flatMap((s) => results.get(s) ?? []);
    const count = (status: string) => checks.filter((c) => c.status === status).length;
    process.stdout.write(`conformance tasks with fixtures: ${passed.length}/${TASK_SCENARIOS.length} scenarios passed (${passed.join(', ')}); checks: ${count('SUCCESS')} success, ${count('FAILURE')} failure, ${count('WARNING')} warning, ${Object.keys(expected).length} expected failures, ${checks.length - count('SUCCESS') - count('FAILURE') - count('WARNING')} other (skipped or informational)\n`);
    const unexpected = TASK_SCENARIOS.filter((s) => !(s in expected)).flatMap((s) => problemsOf(results, s).map((p) => `${s}: ${p}`));
    expect(unexpected).toEqual([]);
  });

  it('fails each listed one, and for the reason given', () => {
    const wrong = Object.entries(expected).flatMap(([s, { failsWith }]) => {
      const found = problemsOf(results, s);
      if (found.length === 0) return [`${s} passes now: remove it from tasksWithFixtures`];
      return found.some((p) => p.includes(failsWith)) ? [] : [`${s} fails for another reason than "${failsWith}": ${found.join('; ')}`];
    });
    expect(wrong).toEqual([]);
  });
});
