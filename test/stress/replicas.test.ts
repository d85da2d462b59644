// A replica dies under load. Three replicas share Redis behind the round-robin balancer; 2026-07-28 clients write
// through it (each call blocks a user no other call names, so the sandbox's room history counts every write), and
// one replica is killed (SIGKILL) mid-run. Every write a client saw succeed is at the sandbox exactly once, no write
// is there twice, and what the dead replica started is still resolved through the shared ledger by the survivors.
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { cloudRequests, confirmationTokenOf, rememberSecret, text, withSandbox } from '../helpers.js';
import { startFleet, type Fleet } from '../fleet.js';
import { connectModernHttp } from '../modern.js';

const APP = 1400000001;
const CLIENTS = 30;
const CALLS = 40;
const KILL_AFTER = 300;
const COS_KEY = 'cos-secret-for-replica-stress';
rememberSecret(COS_KEY);
const STORAGE = { CloudStorage: { Vendor: 0, Region: 'ap-singapore', Bucket: 'rec-1300000000', AccessKey: 'AKID-cos', SecretKey: COS_KEY } };
const room = (c: number) => 70_000 + c;
const user = (c: number, i: number) => `u-${c}-${i}`;
type Result = Awaited<ReturnType<Client['callTool']>> & { structuredContent?: Record<string, any> };

describe('a replica killed mid-load', () => {
  let sb: Sandbox;
  let fleet: Fleet;
  beforeAll(async () => {
    const rooms = Array.from({ length: CLIENTS }, (_, c) => ({ roomId: room(c), users: Array.from({ length: CALLS }, (_, i) => user(c, i)) }));
    sb = await withSandbox({ world: { apps: [{ sdkAppId: APP, rooms }] }, rateLimitScale: 1000 });
    fleet = await startFleet(sb, { args: ['--toolsets', 'all', '--rate-limit-scale', '1000', '--allow-apps', String(APP), '--allow-rooms', '7*'] });
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
    await sb?.close();
  });

  it('loses no acknowledged write, duplicates none, and keeps what the dead replica started resolvable', async () => {
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connectModernHttp(fleet.balancer.url)));
    const call = async (client: Client, name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as Result;
    // Each client starts a recording in its room first; the dead replica starts its share of them.
    const tasks = await Promise.all(clients.map(async (client, c) => {
      const r = await call(client, 'CreateCloudRecording', { RoomId: String(room(c)), UserId: `rec-${c}`, RecordParams: { RecordMode: 1, MaxIdleTime: 60 }, StorageParams: STORAGE });
      expect(r.isError, text(r)).toBeFalsy();
      return r.structuredContent!.TaskId as string;
    }));
    const [, victim] = fleet.replicas;
    const startedOnVictim = victim!.stderr().match(/tool=CreateCloudRecording outcome=ok/g)?.length ?? 0;

    const acknowledged = new Set<string>();
    const failed = new Set<string>();
    const failures: string[] = [];
    let inFlight = 0;
    let killedWith = -1;
    const t0 = Date.now();
    await Promise.all(clients.map(async (client, c) => {
      for (let i = 0; i < CALLS; i++) {
        const who = user(c, i);
        inFlight++;
        try {
          const r = await call(client, 'SetUserBlocked', { RoomId: room(c), UserId: who, IsMute: 1 });
          if (r.isError) throw new Error(text(r));
          acknowledged.add(who);
        } catch (err) {
          failed.add(who);
          failures.push((err as Error).message.slice(0, 120));
        } finally {
          inFlight--;
        }
        if (acknowledged.size >= KILL_AFTER && killedWith < 0) {
          killedWith = inFlight;
          victim!.child.kill('SIGKILL');
        }
      }
    }));
    const seconds = (Date.now() - t0) / 1000;

    // Count at the sandbox: each user's block is one event in its room's history.
    const blocks = new Map<string, number>();
    for (const e of sb.world.apps.get(APP)!.events) if (e.type === 'blocked') blocks.set(e.userId!, (blocks.get(e.userId!) ?? 0) + 1);
    const lost = [...acknowledged].filter((u) => blocks.get(u) !== 1);
    const duplicated = [...blocks].filter(([, n]) => n > 1).map(([u]) => u);
    const landedUnacknowledged = [...failed].filter((u) => blocks.get(u) === 1).length;
    const served = fleet.replicas.map((r) => `${r.name} ${fleet.balancer.served.get(r.url) ?? 0}`);
    console.log(`replica killed mid-load: ${CLIENTS * CALLS} writes from ${CLIENTS} clients in ${seconds.toFixed(1)} s; ${victim!.name} killed with ${killedWith} calls in flight; acknowledged ${acknowledged.size}, at the sandbox ${blocks.size}, lost ${lost.length}, duplicated ${duplicated.length}; failed ${failed.size} (of which reached the sandbox: ${landedUnacknowledged}); requests served: ${served.join(', ')}`);
    if (failures.length) console.log(`  failures seen by clients: ${[...new Set(failures)].join(' | ')}`);

    expect(killedWith).toBeGreaterThan(0);
    expect(victim!.child.signalCode).toBe('SIGKILL');
    expect(acknowledged.size + failed.size).toBe(CLIENTS * CALLS);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]);
    expect(cloudRequests(sb, 'SetUserBlocked').filter((r) => r.code !== 'OK')).toEqual([]);
    // A failed call failed because its replica died under it: never more of them than were in flight then.
    expect(failed.size).toBeLessThanOrEqual(killedWith);

    // The survivors stop every recording, including those the dead replica started: its ledger entries are in Redis.
    expect(startedOnVictim).toBeGreaterThan(0);
    await Promise.all(clients.map(async (client, c) => {
      const preview = await call(client, 'DeleteCloudRecording', { TaskId: tasks[c] });
      const r = await call(client, 'DeleteCloudRecording', { TaskId: tasks[c], confirmationToken: confirmationTokenOf(preview) });
      expect(r.isError, text(r)).toBeFalsy();
    }));
    expect(cloudRequests(sb, 'DeleteCloudRecording').filter((r) => r.code === 'OK')).toHaveLength(CLIENTS);
    await Promise.all(clients.map((c) => c.close()));
  }, 120_000);
});
