// The room console (an MCP Apps view) in a real browser: headless Chromium, a host page on the extension SDK's host
// side, the built server over stdio against the sandbox. What a moderator sees (carol's loss, the bad experiences
// on the same timeline), what pressing a button does (a consent request, not a removal), hostile values shown as
// text, and the console's calls refused exactly as direct calls are.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCallback } from '../src/events/signature.js';
import type { Sandbox } from '../src/sandbox/index.js';
import { AppsHost, type HostedView } from './console-host/harness.js';
import { cloudRequests, connectStdio, recordAttack, sandboxEnv, text, waitForLog, withSandbox, type Connected, type ElicitHandler } from './helpers.js';

const UI = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } };
const APP = 1400000001;
const KEY = 'consolecallbackkey0001';
const SHOTS = fileURLToPath(new URL('../.test-output/console/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });
const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();
const lastHour = () => ({ StartTime: ago(3540), EndTime: ago(0) });
const inRoom = (sb: Sandbox, room: string, user: string) => sb.world.apps.get(APP)!.rooms.get(room)?.users.has(user) ?? false;

let host: AppsHost;
/** The event log of the servers that receive callbacks here: theirs alone, so that no other test's events show. */
const STORE = mkdtempSync(join(tmpdir(), 'trtc-console-'));
const AUDIT = join(STORE, 'audit.jsonl');
const audited = (tool: string) =>
  readFileSync(AUDIT, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { tool: string; outcome: string; consent: string; args: Record<string, unknown> }).filter((r) => r.tool === tool);
beforeAll(async () => {
  host = await new AppsHost().start();
});
afterAll(async () => {
  await host?.close();
  rmSync(STORE, { recursive: true, force: true });
});

/** Pixels of a picture that are strongly coloured (the chart's lines, not its grey grid or text), in its top `share`. */
async function inkInTop(page: Page, element: Locator, share: number): Promise<number> {
  const png = (await element.screenshot()).toString('base64');
  return page.evaluate(async ({ png, share }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${png}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [img.width, img.height];
    const g = canvas.getContext('2d')!;
    g.drawImage(img, 0, 0);
    const { data } = g.getImageData(0, 0, img.width, Math.floor(img.height * share));
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - data[i + 1]!) + Math.abs(data[i + 1]! - data[i + 2]!) + Math.abs(data[i]! - data[i + 2]!) > 150) n++;
    return n;
  }, { png, share });
}

/** Waits for what the view shows: a reload after an action makes several reads through the pipeline. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 });

/** The points of a polyline as [x, y] in its chart's coordinates. */
const pointsOf = async (line: Locator) => ((await line.getAttribute('points')) ?? '').split(' ').map((p) => p.split(',').map(Number) as [number, number]);

describe('the room console in Chromium, for the moderation story', () => {
  let sb: Sandbox;
  let conn: Connected;
  let hosted: HostedView;
  let botTask: string;
  beforeAll(async () => {
    sb = await withSandbox();
    conn = await connectStdio(['--callbacks-listen', '127.0.0.1:0', '--audit-log', AUDIT], sandboxEnv(sb, { TRTC_CALLBACK_KEY: KEY, TRTC_MCP_STORE: join(STORE, 'story') }), undefined, UI);
    const [, url] = await waitForLog(conn.stderr, /receiving TRTC callbacks url=(\S+)/);
    sb.callbacks.configure({ url: url!, key: KEY });
    // An AI bot talks with alice in room 1234: she asks it for a manager, and the callbacks say so.
    const started = await conn.client.callTool({ name: 'StartAIConversation', arguments: { RoomId: '1234', AgentConfig: { UserId: 'ai_mod', TargetUserId: 'alice' } } });
    botTask = (started.structuredContent as { TaskId: string }).TaskId;
    const sentences = () => conn.client.callTool({ name: 'call_tool', arguments: { name: 'list_events', arguments: { RoomId: '1234', types: [903], limit: 100 } } });
    for (let waited = 0; !/manager/.test(text(await sentences())); waited += 100) {
      if (waited > 15_000) throw new Error('the sandbox sent no sentence of room 1234');
      await new Promise((r) => setTimeout(r, 100));
    }
    hosted = await host.open(conn.client, 'DescribeUnusualEvent', { RoomId: '1234', ...lastHour() });
    await hosted.view.locator('article.card[data-user="carol"]').waitFor();
  });
  afterAll(async () => {
    await hosted?.page.close();
    await conn?.close();
    await sb?.close();
  });

  it('opens from a quality read the model made, and reads the room through the console data tool alone', async () => {
    expect(hosted.toolResult.isError).toBeFalsy();
    expect(hosted.calls.map((c) => c.name)).toEqual(['room_console']);
    expect(hosted.calls[0]!.arguments).toMatchObject({ RoomId: '1234', StartTime: expect.any(String) });
  });

  it("shows carol POOR, her packet loss high in her chart on the scale everyone shares, and in the screenshot", async () => {
    const carol = hosted.view.locator('article.card[data-user="carol"]');
    await poll(() => carol.locator('.badge.poor').textContent()).toBe('POOR');
    await poll(() => carol.locator('.why').textContent()).toMatch(/audio packet loss [\d.]+ %/);
    const loss = (user: string) => hosted.view.locator(`article.card[data-user="${user}"] svg[data-chart="Packet loss"]`);
    // One scale for every user's loss chart; carol's audio loss peaks far above it, alice's and bob's stay low.
    const scales = await Promise.all(['alice', 'bob', 'carol'].map((u) => loss(u).getAttribute('data-max')));
    expect(new Set(scales).size).toBe(1);
    const peak = async (user: string, series: string) => Number(await loss(user).locator(`polyline[data-series="${series}"]`).getAttribute('data-peak'));
    expect(await peak('carol', 'aLoss')).toBeGreaterThan(10);
    expect(await peak('carol', 'bigvLoss')).toBeGreaterThan(10);
    for (const u of ['alice', 'bob']) expect(await peak(u, 'aLoss')).toBeLessThanOrEqual(2);
    // In the picture: her chart has line pixels in its upper half, theirs none.
    await hosted.page.screenshot({ path: `${SHOTS}light-wide.png`, fullPage: true });
    expect(await inkInTop(hosted.page, loss('carol'), 0.5)).toBeGreaterThan(100);
    expect(await inkInTop(hosted.page, loss('alice'), 0.5)).toBe(0);
  });

  it('puts the bad experiences on the same timeline, where her loss begins', async () => {
    const chart = hosted.view.locator('article.card[data-user="carol"] svg[data-chart="Packet loss"]');
    const markers = chart.locator('line[data-event="abnormal"]');
    expect(await markers.count()).toBe(2);
    const listed = await hosted.view.locator('#abnormal li[data-user="carol"]').evaluateAll((li) => li.map((l) => Number(l.getAttribute('data-time'))));
    const times = await markers.evaluateAll((ms) => ms.map((m) => Number(m.getAttribute('data-time'))));
    expect(times.sort()).toEqual(listed.sort());
    // Her first loss point and the marker fall within a sample's width of each other, and from there her loss is high.
    const x = Number(await markers.first().getAttribute('data-x'));
    const line = await pointsOf(chart.locator('polyline[data-series="aLoss"]'));
    expect(Math.abs(line[0]![0] - x)).toBeLessThan(1.5);
    const scale = Number(await chart.getAttribute('data-max'));
    const yOf = (v: number) => 6 + (1 - v / scale) * (96 - 6 - 16);
    expect(line.every(([, y]) => y < yOf(10))).toBe(true);
    // Nobody else has a bad experience marked: every marker is in her card, two in each of its four charts.
    expect(await hosted.view.locator('line[data-event="abnormal"]').count()).toBe(8);
    expect(await hosted.view.locator('article.card[data-user="carol"] line[data-event="abnormal"]').count()).toBe(8);
  });

  it('shows who is in, since when, on what device and network, the bot with its stop button, and the AI sentences', async () => {
    const row = (u: string) => hosted.view.locator(`#people tr[data-user="${u}"]`);
    await poll(() => row('carol').textContent()).toMatch(/in since \d\d:\d\d:\d\d.*iPhone|Android/);
    expect(await row('carol').textContent()).toContain('3G');
    expect(await row('ai_mod').textContent()).toContain('AI bot');
    expect(await row('ai_mod').locator('button[data-action="stop-bot"]').count()).toBe(1);
    expect(await row('alice').locator('button[data-action="stop-bot"]').count()).toBe(0);
    const events = await hosted.view.locator('#events').textContent();
    expect(events).toContain('Can I talk to a manager, please?');
    expect(events).toContain('This is the sandbox bot. I heard you.');
  });

  it('loads nothing from anywhere, and breaks no rule of its content security policy', async () => {
    expect(hosted.requests.filter((u) => !host.isOwn(u))).toEqual([]);
    expect(hosted.messages.filter((m) => /Content Security Policy|Refused to/i.test(m))).toEqual([]);
  });

  it('answers "remove" with the server\'s request for consent, not a removal; confirming then removes her', async () => {
    const carol = hosted.view.locator('#people tr[data-user="carol"]');
    const before = cloudRequests(sb, 'RemoveUser').length;
    await carol.locator('button[data-action="remove"]').click();
    const notice = hosted.view.locator('#notice .notice');
    await poll(() => notice.getAttribute('data-kind')).toBe('consent');
    expect(await notice.textContent()).toMatch(/Ask the user to approve this destructive action.*RemoveUser/s);
    expect(await notice.textContent()).toContain('"carol"');
    expect(cloudRequests(sb, 'RemoveUser').length).toBe(before);
    expect(inRoom(sb, 'int:1234', 'carol')).toBe(true);
    await hosted.page.screenshot({ path: `${SHOTS}consent.png`, fullPage: true });
    await notice.locator('button', { hasText: 'Cancel' }).click();
    await poll(() => notice.textContent()).toContain('Nothing was sent');
    expect(inRoom(sb, 'int:1234', 'carol')).toBe(true);

    // The human confirms in the console: the same call, with the server's token, and only then.
    await carol.locator('button[data-action="remove"]').click();
    await poll(() => notice.getAttribute('data-kind')).toBe('consent');
    await notice.locator('button', { hasText: 'Confirm' }).click();
    await poll(() => inRoom(sb, 'int:1234', 'carol')).toBe(false);
    const removals = hosted.calls.filter((c) => c.name === 'RemoveUser');
    expect(removals.map((c) => Object.keys(c.arguments).includes('confirmationToken'))).toEqual([false, false, true]);
    // The audit trail has the console's calls as it has any agent's: two asked for consent, one sent with it.
    expect(audited('RemoveUser').map((r) => [r.outcome, r.consent])).toEqual([
      ['confirmation-required', 'awaiting-token'],
      ['confirmation-required', 'awaiting-token'],
      ['ok', 'token'],
    ]);
    expect(audited('RemoveUser')[2]!.args).toMatchObject({ RoomId: 1234, UserIds: ['carol'] });
    await poll(() => carol.textContent()).toMatch(/left \d\d:\d\d:\d\d/);
  });

  it('asks consent to stop the bot too, and stops nothing until it is given', async () => {
    const bot = hosted.view.locator('#people tr[data-user="ai_mod"]');
    await bot.locator('button[data-action="stop-bot"]').click();
    const notice = hosted.view.locator('#notice .notice');
    await poll(() => notice.textContent()).toMatch(/StopAIConversation/);
    expect(await notice.getAttribute('data-kind')).toBe('consent');
    expect(sb.world.tasks.find(sb.world.apps.get(APP)!, botTask)!.endedAt).toBeUndefined();
  });

  it('follows the host into dark mode, and fits a narrow host', async () => {
    await hosted.setTheme({ theme: 'dark' });
    await poll(() => hosted.view.locator('html').getAttribute('data-theme')).toBe('dark');
    const background = await hosted.viewFrame().evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(23, 23, 23)');
    await hosted.page.screenshot({ path: `${SHOTS}dark-wide.png`, fullPage: true });
    const narrow = await host.open(conn.client, 'DescribeUnusualEvent', { RoomId: '1234', ...lastHour() }, { width: 360, theme: 'dark' });
    try {
      await narrow.view.locator('article.card').first().waitFor();
      const overflow = await narrow.viewFrame().evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await narrow.page.screenshot({ path: `${SHOTS}dark-narrow.png`, fullPage: true });
    } finally {
      await narrow.page.close();
    }
  });
});

describe('the room console with a host that asks its user', () => {
  it('turns "remove" into the host\'s own consent question, and removes nobody when the human declines', async () => {
    const sb = await withSandbox();
    const asked: string[] = [];
    const decline: ElicitHandler = (params) => {
      asked.push(params.message);
      return { action: 'decline' };
    };
    const conn = await connectStdio([], sandboxEnv(sb), decline, UI);
    const hosted = await host.open(conn.client, 'DescribeRoomInfo', { RoomId: '1234', ...lastHour() });
    try {
      await hosted.view.locator('#people tr[data-user="carol"] button[data-action="remove"]').click();
      await poll(() => asked.length).toBe(1);
      expect(asked[0]).toMatch(/RemoveUser/);
      expect(asked[0]).toContain('carol');
      const notice = hosted.view.locator('#notice .notice');
      await poll(() => notice.getAttribute('data-kind')).toBe('error');
      expect(await notice.textContent()).toMatch(/declined/i);
      expect(inRoom(sb, 'int:1234', 'carol')).toBe(true);
      expect(cloudRequests(sb, 'RemoveUser')).toEqual([]);
    } finally {
      await hosted.page.close();
      await conn.close();
      await sb.close();
    }
  });
});

describe('hostile values in the console', () => {
  const MARKUP = '<img src=x onerror="parent.parent.postMessage(\'pwned\',\'*\');window.pwned=1">';
  const BIDI = 'admin\u202Egnp.exe';
  const LONG = `x${'long-name-'.repeat(30)}`;
  const ROOM = 'lobby<b>bold</b>\u202Emoc';
  let sb: Sandbox;
  let conn: Connected;
  let hosted: HostedView;
  beforeAll(async () => {
    sb = await withSandbox({
      world: { apps: [{ sdkAppId: APP, rooms: [{ roomId: ROOM, users: [{ userId: MARKUP, quality: 'poor', joinedSecondsAgo: 600 }, { userId: BIDI, joinedSecondsAgo: 500 }, { userId: LONG, joinedSecondsAgo: 400 }] }] }] },
    });
    conn = await connectStdio(['--callbacks-listen', '127.0.0.1:0'], sandboxEnv(sb, { TRTC_CALLBACK_KEY: KEY, TRTC_MCP_STORE: join(STORE, 'hostile') }), undefined, UI);
    const [, url] = await waitForLog(conn.stderr, /receiving TRTC callbacks url=(\S+)/);
    // What a user said, as a callback brings it: markup and a direction override in the text.
    const body = JSON.stringify({ EventGroupId: 9, EventType: 903, CallbackTs: Date.now(), EventInfo: { RoomId: ROOM, EventMsTs: Date.now(), TaskId: 't-1', Payload: { UserId: MARKUP, Text: '<script>alert(1)</script>\u202Edesrever' } } });
    expect((await fetch(url!, { method: 'POST', body, headers: { 'content-type': 'application/json', Sign: signCallback(KEY, body), SdkAppId: String(APP) } })).status).toBe(200);
    hosted = await host.open(conn.client, 'DescribeUnusualEvent', { RoomId: ROOM, ...lastHour() }, { width: 420 });
    await hosted.view.locator('#people tr').nth(2).waitFor();
    hosted.page.on('dialog', (d) => void d.dismiss());
  });
  afterAll(async () => {
    await hosted?.page.close();
    await conn?.close();
    await sb?.close();
  });

  it('shows markup as text and runs none of it', async () => {
    const frame = hosted.viewFrame();
    expect(await frame.evaluate(() => document.querySelectorAll('img, script:not(:first-of-type), iframe, object, embed').length)).toBe(0);
    expect(await frame.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    expect(await frame.evaluate(() => document.scripts.length)).toBe(1);
    const people = await hosted.view.locator('#people').textContent();
    expect(people).toContain('<img src=x onerror=');
    expect(await hosted.view.locator('#room').textContent()).toContain('lobby<b>bold</b>');
    expect(await hosted.view.locator('#room b').count()).toBe(0);
    expect(await hosted.view.locator('#events').textContent()).toContain('<script>alert(1)</script>');
    expect(hosted.messages.filter((m) => m.includes('pwned'))).toEqual([]);
  });

  it('shows direction overrides instead of obeying them', async () => {
    const shown = await hosted.view.locator('#people').textContent();
    expect(shown).toContain('admin\\u202egnp.exe');
    expect(shown).not.toContain('\u202E');
    expect(await hosted.view.locator('#room').textContent()).toContain('\\u202emoc');
    expect(await hosted.view.locator('#events').textContent()).toContain('\\u202edesrever');
  });

  it('clips a very long name, keeps the whole of it in a tooltip, and stays within a narrow host', async () => {
    const long = hosted.view.locator(`#people tr[data-user="${LONG}"] bdi.id`);
    expect((await long.textContent())!.length).toBeLessThanOrEqual(49);
    expect(await long.getAttribute('title')).toBe(LONG);
    const overflow = await hosted.viewFrame().evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await hosted.page.screenshot({ path: `${SHOTS}hostile-narrow.png`, fullPage: true });
  });
});

describe("the console's calls are refused exactly as direct calls are", () => {
  it.each([
    ['--read-only', ['--read-only'], 'Mute', 'SetUserBlocked', { RoomId: 1234, UserId: 'carol', IsMute: 1 }],
    ['--deny-tools', ['--deny-tools', 'RemoveUser'], 'Remove', 'RemoveUser', { RoomId: 1234, UserIds: ['carol'] }],
  ] as const)('%s: the console shows the refusal a direct call gets, and nothing reaches TRTC', async (_label, flags, button, tool, args) => {
    const sb = await withSandbox();
    const conn = await connectStdio([...flags], sandboxEnv(sb), undefined, UI);
    const hosted = await host.open(conn.client, 'DescribeUnusualEvent', { RoomId: '1234', ...lastHour() });
    try {
      const direct = await conn.client.callTool({ name: tool, arguments: args }).then((r) => text(r), (err: Error) => err.message);
      await hosted.view.locator(`#people tr[data-user="carol"] button[data-action="${button.toLowerCase()}"]`).click();
      const notice = hosted.view.locator('#notice .notice');
      await poll(() => notice.getAttribute('data-kind')).toBe('error');
      const refusal = direct.replace(/^MCP error -?\d+: /, '');
      expect(refusal).toMatch(/Refused: .*read-only|Unknown tool: RemoveUser/);
      expect(await notice.textContent()).toContain(refusal);
      expect(cloudRequests(sb, tool)).toEqual([]);
      recordAttack(`console ${tool} under ${_label}`, cloudRequests(sb, tool).length);
    } finally {
      await hosted.page.close();
      await conn.close();
      await sb.close();
    }
  });

  it('--allow-rooms: every part the console reads is refused as the direct read is, and shows it', async () => {
    const sb = await withSandbox();
    const conn = await connectStdio(['--allow-rooms', '5678'], sandboxEnv(sb), undefined, UI);
    const hosted = await host.open(conn.client, 'DescribeUnusualEvent', { RoomId: '1234', ...lastHour() });
    try {
      expect(hosted.toolResult.isError).toBe(true);
      const problems = hosted.view.locator('#problems .problem');
      await poll(() => problems.count()).toBeGreaterThanOrEqual(2);
      for (const tool of ['DescribeRoomInfo', 'DescribeUnusualEvent']) {
        const direct = text(await conn.client.callTool({ name: tool, arguments: { RoomId: '1234', ...lastHour() } })).split('\n').filter((l) => !l.startsWith('Sandbox:')).join('\n');
        expect(direct).toMatch(/^Refused: /);
        expect(await problems.filter({ has: hosted.view.locator(`[data-tool="${tool}"]`) }).count() + await hosted.view.locator(`#problems .problem[data-tool="${tool}"]`).count()).toBeGreaterThan(0);
        expect(await hosted.view.locator(`#problems .problem[data-tool="${tool}"]`).textContent()).toContain(direct);
      }
      expect(await hosted.view.locator('#people tr[data-user]').count()).toBe(0);
      const reads = ['DescribeRoomInfo', 'DescribeUnusualEvent', 'DescribeUserInfo', 'DescribeCallDetailInfo'].flatMap((t) => cloudRequests(sb, t));
      expect(reads).toEqual([]);
      recordAttack('console reads outside --allow-rooms', reads.length);
    } finally {
      await hosted.page.close();
      await conn.close();
      await sb.close();
    }
  });
});

describe("the console's data tool", () => {
  it('answers in a few lines of text, and keeps what it can when an answer breaks the documented types', async () => {
    const sb = await withSandbox();
    const conn = await connectStdio([], sandboxEnv(sb), undefined, UI);
    try {
      const r = await conn.client.callTool({ name: 'room_console', arguments: { RoomId: '1234' } });
      expect(r.isError).toBeFalsy();
      expect(text(r).length).toBeLessThanOrEqual(4_000);
      expect(text(r)).toMatch(/carol POOR \(audio packet loss/);
      const data = r.structuredContent as { Series: Array<{ Points: unknown[] }>; Problems: unknown[] };
      expect(data.Problems).toEqual([]);
      expect(Math.min(...data.Series.map((x) => x.Points.length))).toBeGreaterThan(60);
      // TRTC answers the user list with odd types: the console shows what it can, and says nothing broke.
      sb.faults.inject({ kind: 'replay', action: 'DescribeUserInfo', body: { Response: { Total: 1, UserList: [{ UserId: 'dave', JoinTs: 'soon', Finished: 'no', DeviceType: 7 }, { UserId: 42 }], RequestId: 'odd' } } });
      const odd = await conn.client.callTool({ name: 'room_console', arguments: { RoomId: '1234' } });
      expect(odd.isError).toBeFalsy();
      expect((odd.structuredContent as { Participants: unknown[] }).Participants).toEqual([{ UserId: 'dave' }]);
    } finally {
      sb.faults.clear();
      await conn.close();
      await sb.close();
    }
  });
});

describe('hosts without MCP Apps', () => {
  it('see the tool list and the answers as before: no console, no data tool, no link', async () => {
    const sb = await withSandbox();
    const plain = await connectStdio([], sandboxEnv(sb));
    const apps = await connectStdio([], sandboxEnv(sb), undefined, UI);
    try {
      const tools = (await plain.client.listTools()).tools;
      expect(tools.some((t) => t.name === 'room_console' || (t._meta as { ui?: unknown } | undefined)?.ui)).toBe(false);
      await expect(plain.client.callTool({ name: 'room_console', arguments: { RoomId: '1234' } })).rejects.toThrow(/Unknown tool: room_console/);
      // Discovery neither finds nor runs it, for any client: it is the view's alone.
      for (const c of [plain, apps]) {
        const found = await c.client.callTool({ name: 'search_tools', arguments: { query: 'room console participants quality charts' } });
        expect(text(found)).not.toContain('room_console');
        const viaCall = await c.client.callTool({ name: 'call_tool', arguments: { name: 'room_console', arguments: { RoomId: '1234' } } });
        expect(viaCall.isError).toBe(true);
      }
      // The same read answers the same text either way (but for its RequestId).
      const read = async (c: Connected) => text(await c.client.callTool({ name: 'DescribeUnusualEvent', arguments: { RoomId: '1234', ...lastHour() } })).replace(/"RequestId":"[^"]+"/, '');
      expect(await read(apps)).toBe(await read(plain));
      // A host that renders views sees the link on the room and quality tools, and the data tool as the view's only.
      const listed = (await apps.client.listTools()).tools;
      const linked = listed.filter((t) => (t._meta as { ui?: { resourceUri?: string } } | undefined)?.ui?.resourceUri === 'ui://trtc/room-console').map((t) => t.name);
      expect(linked).toEqual(expect.arrayContaining(['RemoveUser', 'SetUserBlocked', 'DismissRoom', 'DescribeUnusualEvent', 'DescribeRoomInfo', 'DescribeUserInfo', 'room_console']));
      expect(listed.find((t) => t.name === 'room_console')!._meta).toEqual({ ui: { resourceUri: 'ui://trtc/room-console', visibility: ['app'] } });
      const resource = (await apps.client.readResource({ uri: 'ui://trtc/room-console' })).contents[0] as { text: string; mimeType: string; _meta: unknown };
      expect(resource.mimeType).toBe('text/html;profile=mcp-app');
      expect(resource._meta).toEqual({ ui: { csp: { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] }, prefersBorder: true } });
      // Its size budget: 150 KB.
      const bytes = Buffer.byteLength(resource.text);
      console.log(`room console: ${bytes} bytes of HTML (${Math.round(bytes / 1024)} KiB), script and styles inline`);
      expect(bytes).toBeLessThanOrEqual(150_000);
      expect(resource.text).not.toMatch(/(src|href)=["']?https?:/);
    } finally {
      await Promise.all([plain.close(), apps.close()]);
      await sb.close();
    }
  });
});
