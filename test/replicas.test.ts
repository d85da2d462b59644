// A replica set with real parts: redis-server, three `trtc-mcp --transport http` replicas sharing it and one consent
// secret, one sandbox behind them, and a round-robin load balancer on loopback in front. Clients speak 2026-07-28
// (stateless, so any replica may answer any request). What must hold for the fleet: consent is single use across
// replicas, the ledger that scope resolution reads is shared, the documented rate limit holds for the fleet, and a
// Redis outage refuses what needs single use or the ledger, keeps reads working, and heals without a restart.
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import type { WorldSeed } from '../src/sandbox/world.js';
import { cloudRequests, confirmationTokenOf, rememberSecret, text, withSandbox } from './helpers.js';
import { probe, startFleet, type Fleet, type Replica } from './fleet.js';
import { connectModernHttp, routeRetries, type FormAnswer, type SentRetry } from './modern.js';

const APP = 1400000001;
const COS_KEY = 'cos-secret-for-replica-tests';
rememberSecret(COS_KEY);
const STORAGE = { CloudStorage: { Vendor: 0, Region: 'ap-singapore', Bucket: 'rec-1300000000', AccessKey: 'AKID-cos', SecretKey: COS_KEY } };
const WORLD: WorldSeed = {
  apps: [{
    sdkAppId: APP,
    rooms: [
      { roomId: 1234, users: ['alice', 'bob', 'carol'] },
      ...Array.from({ length: 10 }, (_, i) => ({ roomId: 110 + i, users: ['a', 'b'] })),
    ],
  }],
};
type Result = Awaited<ReturnType<Client['callTool']>> & { structuredContent?: Record<string, any> };

const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
const accept: FormAnswer = (params) => ({ action: 'accept', content: { confirm: /Type "(\d+)" to confirm/.exec((params as { message: string }).message)![1]! } });
const auditOf = (r: Replica) => r.stderr().split('\n').filter((l) => l.startsWith('{') && l.includes('"type":"audit"')).map((l) => JSON.parse(l) as Record<string, any>);

let sb: Sandbox;
let fleet: Fleet;
let A: Replica;
let B: Replica;
let C: Replica;
const clients: Client[] = [];
/** A 2026-07-28 client of one replica (or of the balancer), with or without a human who answers forms. */
async function clientOf(url: string, opts: Parameters<typeof connectModernHttp>[1] = {}) {
  const client = await connectModernHttp(url, opts);
  clients.push(client);
  return client;
}
const call = async (client: Client, name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as Result;

beforeAll(async () => {
  sb = await withSandbox({ world: WORLD });
  // Scope on every replica: targets named by ID resolve through the shared ledger. Redis keeps its data across a
  // restart, as a production one would.
  fleet = await startFleet(sb, { persist: true, args: ['--toolsets', 'all', '--allow-apps', String(APP), '--allow-rooms', '1*'] });
  [A, B, C] = fleet.replicas as [Replica, Replica, Replica];
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await fleet?.stop();
  await sb?.close();
});

describe('consent is single use across the replicas', () => {
  it('accepts a confirmation token issued by replica A once, on replica B, and refuses it on A and C', async () => {
    const args = { RoomId: 110 };
    const preview = await call(await clientOf(A.url), 'DismissRoom', args);
    const token = confirmationTokenOf(preview);
    expect(cloudRequests(sb, 'DismissRoom')).toHaveLength(0);

    const done = await call(await clientOf(B.url), 'DismissRoom', { ...args, confirmationToken: token });
    expect(done.isError, text(done)).toBeFalsy();
    expect(cloudRequests(sb, 'DismissRoom')).toHaveLength(1);

    for (const replica of [A, C]) {
      const replay = await call(await clientOf(replica.url), 'DismissRoom', { ...args, confirmationToken: token });
      expect(replay.isError).toBe(true);
      expect(text(replay)).toContain('The confirmationToken was already used.');
    }
    expect(cloudRequests(sb, 'DismissRoom')).toHaveLength(1);
    // Each replica's own audit trail names it: the write ran on B, with the token.
    expect(auditOf(B).filter((r) => r.tool === 'DismissRoom')).toEqual([expect.objectContaining({ replica: 'replica-b', consent: 'token', outcome: 'ok' })]);
    for (const [replica, name] of [[A, 'replica-a'], [C, 'replica-c']] as const) {
      expect(auditOf(replica).filter((r) => r.tool === 'DismissRoom').every((r) => r.replica === name && r.outcome === 'confirmation-required')).toBe(true);
    }
  });

  it('accepts a requestState issued by replica A once, on replica B, and refuses it on A and C', async () => {
    const retries: SentRetry[] = [];
    // Round one goes to A; the client's retry with the human's answer goes to B.
    const toB = routeRetries((init) => fetch(`${B.url}/mcp`, init), retries);
    const client = await clientOf(A.url, { elicit: accept, fetch: toB });
    const done = await call(client, 'DismissRoom', { RoomId: 111 });
    expect(done.isError, text(done)).toBeFalsy();
    expect(cloudRequests(sb, 'DismissRoom')).toHaveLength(2);
    expect(auditOf(B).filter((r) => r.tool === 'DismissRoom' && r.args.RoomId === 111)).toEqual([expect.objectContaining({ replica: 'replica-b', consent: 'elicitation', outcome: 'ok' })]);

    for (const replica of [A, C]) {
      const replay = await fetch(`${replica.url}/mcp`, { method: 'POST', headers: retries[0]!.headers, body: retries[0]!.body });
      expect(((await replay.json()) as { error?: { code: number } }).error).toMatchObject({ code: -32602 });
      expect(replica.stderr()).toContain('requestState refused tool=DismissRoom why="already used"');
    }
    expect(cloudRequests(sb, 'DismissRoom')).toHaveLength(2);
  });
});

describe('scope resolution through the shared ledger', () => {
  it('resolves a recording started through replica A when it is stopped through replica C', async () => {
    const started = await call(await clientOf(A.url), 'CreateCloudRecording', { RoomId: '1234', UserId: 'recorder_fleet', RecordParams: { RecordMode: 1, MaxIdleTime: 60 }, StorageParams: STORAGE });
    expect(started.isError, text(started)).toBeFalsy();
    const { TaskId } = started.structuredContent!;

    const onC = await clientOf(C.url);
    const preview = await call(onC, 'DeleteCloudRecording', { TaskId });
    const deleted = await call(onC, 'DeleteCloudRecording', { TaskId, confirmationToken: confirmationTokenOf(preview) });
    expect(deleted.isError, text(deleted)).toBeFalsy();
    expect(C.stderr()).toMatch(/scope resolved tool=DeleteCloudRecording ledger=1/);
    expect(cloudRequests(sb, 'DeleteCloudRecording')).toHaveLength(1);

    // A recording in the same room that no replica started: nothing tells where it runs, so it is refused.
    const app = sb.world.apps.get(APP)!;
    const stranger = sb.world.tasks.start(app, { kind: 'recording', roomKind: 'int', roomId: '1234', botUserId: 'recorder_stranger', config: {} });
    const refused = await call(onC, 'DeleteCloudRecording', { TaskId: stranger.id });
    expect(text(refused)).toMatch(/^Refused: this server cannot tell which app and room/);
    expect(cloudRequests(sb, 'DeleteCloudRecording')).toHaveLength(1);
  });
});

describe('the documented rate limit holds for the fleet', () => {
  const CLIENTS = 60;
  const EACH = 2;
  it(`keeps ${CLIENTS} clients calling SetUserBlocked (20/s) through 3 replicas at 20/s at the sandbox`, async () => {
    const before = sb.requests.length;
    let refusals = 0;
    const retryIn: number[] = [];
    // Connected and warmed up first: each client has the tool list its results are checked against, and each
    // replica has loaded the catalog (arguments that fail validation send nothing).
    const lbClients = await Promise.all(Array.from({ length: CLIENTS }, () => clientOf(fleet.balancer.url)));
    await Promise.all(lbClients.map((c) => c.listTools()));
    for (const r of fleet.replicas) expect((await call(await clientOf(r.url), 'SetUserBlocked', {})).isError).toBe(true);
    const work = async (c: number) => {
      const client = lbClients[c]!;
      for (let done = 0; done < EACH; ) {
        const r = await call(client, 'SetUserBlocked', { RoomId: 1234, UserId: 'alice', IsMute: (c + done) % 2 });
        if (!r.isError) {
          done++;
          continue;
        }
        // Refused rather than kept waiting past --rate-limit-wait: the answer says when to retry, and a polite
        // client does.
        const m = /SetUserBlocked was not sent: SetUserBlocked allows 20 requests per second; the next slot frees in ([\d.]+) s/.exec(text(r));
        expect(m, text(r)).not.toBeNull();
        refusals++;
        retryIn.push(Number(m![1]));
        await new Promise((resolve) => setTimeout(resolve, Number(m![1]) * 1000));
      }
    };
    const t0 = Date.now();
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => work(c)));
    const seconds = (Date.now() - t0) / 1000;

    const sent = sb.requests.slice(before).filter((r) => r.action === 'SetUserBlocked');
    // By the second each request was sent in (its signed X-TC-Timestamp), as the sandbox counts its own limit.
    const perSecond = new Map<number, number>();
    for (const r of sent) perSecond.set(r.sentAt!, (perSecond.get(r.sentAt!) ?? 0) + 1);
    const most = Math.max(...perSecond.values());
    // By when the sandbox read each one, in any 1000 ms: this adds the queueing of the test process, which hosts
    // the sandbox, the balancer and the 60 clients.
    const times = sent.map((r) => r.time).sort((a, b) => a - b);
    let mostRead = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000) j++;
      mostRead = Math.max(mostRead, i - j + 1);
    }
    const limited = sent.filter((r) => r.code === 'RequestLimitExceeded').length;
    const spread = fleet.replicas.map((r) => fleet.balancer.served.get(r.url) ?? 0);
    console.log(`fleet rate limit: ${sent.length} SetUserBlocked from ${CLIENTS} clients via 3 replicas in ${seconds.toFixed(1)} s; per second sent at the sandbox: ${[...perSecond.values()].join(' ')} (most ${most}); most read by the sandbox in any 1000 ms: ${mostRead}; rate-limit errors from the sandbox: ${limited}; refused with a retry time: ${refusals} (longest ${Math.max(0, ...retryIn)} s); requests per replica: ${spread.join('/')}`);

    expect(sent).toHaveLength(CLIENTS * EACH);
    expect(limited).toBe(0);
    expect(most).toBeLessThanOrEqual(20);
    // Every replica took part, so the limit held across processes, not within one.
    for (const n of spread) expect(n).toBeGreaterThan(CLIENTS / 3);
  }, 60_000);
});

describe('a Redis outage', () => {
  it('refuses single use and the scoped ledger, keeps reads working, and recovers without a restart', async () => {
    const pids = fleet.replicas.map((r) => r.child.pid);
    // Before the outage: a recording started through A, a token issued by B, and a form answered on A whose retry
    // arrives while Redis is down.
    const started = await call(await clientOf(A.url), 'CreateCloudRecording', { RoomId: '1234', UserId: 'recorder_outage', RecordParams: { RecordMode: 1, MaxIdleTime: 60 }, StorageParams: STORAGE });
    const { TaskId } = started.structuredContent!;
    const token = confirmationTokenOf(await call(await clientOf(B.url), 'DismissRoom', { RoomId: 112 }));
    for (const r of fleet.replicas) expect(await probe(r.url, '/readyz')).toMatchObject({ status: 200, body: { status: 'ready', replica: r.name, store: { kind: 'redis', reachable: true } } });

    const retries: SentRetry[] = [];
    const stopRedisFirst = routeRetries(async (init) => {
      await fleet.redis.stop();
      return fetch(`${A.url}/mcp`, init);
    }, retries);
    const answered = await call(await clientOf(A.url, { elicit: accept, fetch: stopRedisFirst }), 'DismissRoom', { RoomId: 113 });
    const outageStarted = Date.now();

    // The requestState could not be spent: refused, and nothing sent.
    expect(text(answered)).toMatch(/^Refused: the state store redis:\/\/127\.0\.0\.1:\d+ is unreachable \(.*\), so consent cannot be checked \(a confirmation token, requestState or approval is single use\)\. Retry once it is back\. Nothing was sent\.$/);
    const lb = await clientOf(fleet.balancer.url);
    // Reads keep working on every replica.
    for (let i = 0; i < 6; i++) {
      const read = await call(lb, 'DescribeRoomInfo', { StartTime: ago(3600), EndTime: ago(-60), RoomId: '1234' });
      expect(read.isError, text(read)).toBeFalsy();
    }
    // A token cannot be spent, the ledger cannot be read for scope, events cannot be read.
    const redeemed = await call(await clientOf(C.url), 'DismissRoom', { RoomId: 112, confirmationToken: token });
    expect(text(redeemed)).toMatch(/^Refused: the state store .* is unreachable .*, so consent cannot be checked/);
    const stop = await call(await clientOf(B.url), 'DeleteCloudRecording', { TaskId });
    expect(text(stop)).toMatch(/^Refused: the state store .* is unreachable .*, so this call's targets and consent cannot be checked\. Retry once it is back\. Nothing was sent\.$/);
    // Under scope, what a call starts must be recorded, so a start is refused too.
    const start = await call(lb, 'CreateCloudRecording', { RoomId: '1234', UserId: 'recorder_during', RecordParams: { RecordMode: 1, MaxIdleTime: 60 }, StorageParams: STORAGE });
    expect(text(start)).toMatch(/^Refused: the state store .* is unreachable .*, so what this call starts could not be recorded for the scope\. Retry once it is back\. Nothing was sent\.$/);
    const events = await call(lb, 'list_events', {});
    expect(text(events)).toMatch(/^Refused: the state store .* is unreachable .*, so its events cannot be read/);
    expect(cloudRequests(sb, 'DismissRoom').filter((r) => r.time >= outageStarted)).toHaveLength(0);
    expect(cloudRequests(sb, 'DeleteCloudRecording').filter((r) => r.time >= outageStarted)).toHaveLength(0);
    expect(cloudRequests(sb, 'CreateCloudRecording').filter((r) => r.time >= outageStarted)).toHaveLength(0);
    for (const r of [A, B, C]) {
      expect(auditOf(r).filter((a) => a.outcome === 'refused:store').every((a) => a.replica === r.name)).toBe(true);
    }
    expect([A, B, C].flatMap(auditOf).filter((a) => a.outcome === 'refused:store').map((a) => a.tool).sort()).toEqual(['CreateCloudRecording', 'DeleteCloudRecording', 'DismissRoom', 'DismissRoom']);

    // The probes: alive but not ready; where the store lives only with the token (none is configured here, so
    // every caller has it: loopback only).
    for (const r of fleet.replicas) {
      expect(await probe(r.url, '/readyz')).toMatchObject({ status: 503, body: { status: 'not ready', store: { kind: 'redis', reachable: false } } });
      const health = await probe(r.url, '/healthz');
      expect(health).toMatchObject({ status: 200, body: { status: 'degraded', replica: r.name, store: { reachable: false, location: fleet.redis.url } } });
    }

    // Redis comes back (with its data); every replica reconnects by itself.
    const outage = Date.now() - outageStarted;
    await fleet.redis.start();
    const back = Date.now();
    for (;;) {
      const ready = await Promise.all(fleet.replicas.map((r) => probe(r.url, '/readyz')));
      if (ready.every((p) => p.status === 200)) break;
      expect(Date.now() - back, 'replicas reconnect within 10 s').toBeLessThan(10_000);
      await new Promise((r) => setTimeout(r, 50));
    }
    const recovered = Date.now() - back;

    // Nothing refused during the outage was spent: the token, the requestState and the ledger entry all work now.
    const redeemedLater = await call(await clientOf(C.url), 'DismissRoom', { RoomId: 112, confirmationToken: token });
    expect(redeemedLater.isError, text(redeemedLater)).toBeFalsy();
    const retried = (await (await fetch(`${B.url}/mcp`, { method: 'POST', headers: retries[0]!.headers, body: retries[0]!.body })).json()) as { result?: Result };
    expect(retried.result, JSON.stringify(retried)).toMatchObject({ content: expect.any(Array) });
    expect(retried.result!.isError, JSON.stringify(retried)).toBeFalsy();
    const onB = await clientOf(B.url);
    const preview = await call(onB, 'DeleteCloudRecording', { TaskId });
    const deleted = await call(onB, 'DeleteCloudRecording', { TaskId, confirmationToken: confirmationTokenOf(preview) });
    expect(deleted.isError, text(deleted)).toBeFalsy();
    expect(cloudRequests(sb, 'DismissRoom').filter((r) => r.time >= outageStarted).map((r) => r.code)).toEqual(['OK', 'OK']);
    expect(fleet.replicas.map((r) => r.child.pid)).toEqual(pids);
    expect(fleet.replicas.every((r) => r.child.exitCode === null)).toBe(true);
    console.log(`redis outage: ${outage} ms down; 5 refusals (requestState, token, scoped ledger, scoped start, events) and 6 reads served; all 3 replicas ready ${recovered} ms after Redis was back, with no restart`);
  }, 60_000);
});
