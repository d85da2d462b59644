/// <reference lib="dom" />
// The room console: what the host's tool call was about (a room, a call), shown as participants, quality charts,
// bad experiences and recent events, with moderation actions. Every action is an ordinary tool call through the
// host, so the server's guardrails answer it: a removal comes back as a request for the human's consent.
// Everything the server or the room's users wrote is shown as text, never as markup.
import type { McpUiHostContext } from '@modelcontextprotocol/ext-apps';
import { HostBridge, HostError } from './bridge.js';
import { lineChart, type Line, type Marker } from './chart.js';

interface Participant { UserId: string; JoinTs?: number; LeaveTs?: number; Finished?: boolean; DeviceType?: string; Network?: string; Verdict?: string; Why?: string[]; BotTaskId?: string }
interface ConsoleData {
  Room: { RoomId: string; RoomIdType: number };
  Window: { StartTime: number; EndTime: number };
  Call?: { CommId: string };
  Participants: Participant[];
  Series: Array<{ UserId: string; DataType: string; Points: Array<[number, number]> }>;
  Abnormal: Array<{ UserId: string; Time: number; Meaning: string; Causes: string[] }>;
  Events?: Array<{ Time: string; Meaning: string; UserId?: string; Text?: string }>;
  Problems: Array<{ part: string; tool: string; message: string }>;
}
interface ToolResult { isError?: boolean; content?: Array<{ type: string; text?: string }>; structuredContent?: Record<string, any>; _meta?: Record<string, any> }
type Target = { RoomId: string; RoomIdType?: 0 | 1; CommId?: string; StartTime?: string | number; EndTime?: string | number };

const bridge = new HostBridge(window.parent);
const $ = (id: string) => document.getElementById(id)!;
let target: Target | undefined;

// ---- Text from elsewhere, made inert: no markup (textContent only), direction controls shown rather than obeyed,
// and long values clipped with the whole value kept in a tooltip.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** `lines`: the server's own text, whose line breaks are kept. */
const visible = (s: string, lines = false) =>
  s.replace(CONTROLS, (c) => (lines && c === '\n' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
const MAX_SHOWN = 48;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, children: Array<Node | string> = []): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

/** A value someone else chose (a user ID, a room ID, what a user said): isolated, inert, clipped. */
function foreign(value: unknown, cls = 'id'): HTMLElement {
  const text = visible(String(value ?? ''));
  const shown = [...text].length > MAX_SHOWN ? `${[...text].slice(0, MAX_SHOWN).join('')}…` : text;
  const node = el('bdi', { class: cls, title: text }, [shown]);
  return node;
}

const clock = (s?: number) => (s ? new Date(s * 1000).toISOString().slice(11, 19) : '');

// ---- Theme: the host's variables and light or dark.
function applyHost(ctx: McpUiHostContext): void {
  const root = document.documentElement;
  if (ctx.theme) {
    root.dataset.theme = ctx.theme;
    root.style.colorScheme = ctx.theme;
  }
  for (const [k, v] of Object.entries(ctx.styles?.variables ?? {})) if (k.startsWith('--') && typeof v === 'string') root.style.setProperty(k, v);
}

// ---- Where the host's tool call points: a room, and perhaps a call and a window.
function targetOf(args: Record<string, unknown>, result?: ToolResult): Target | undefined {
  const sc = result?.structuredContent ?? {};
  const room = args.RoomId ?? args.StrRoomId ?? sc.UserList?.[0]?.RoomStr ?? sc.RoomList?.[0]?.RoomString ?? sc.AbnormalExperienceList?.[0]?.RoomId;
  if (room === undefined || room === null || room === '') return undefined;
  const numeric = typeof args.RoomId === 'number';
  const byString = args.StrRoomId !== undefined || (typeof args.RoomId === 'string' && !/^\d+$/.test(args.RoomId));
  const t: Target = { RoomId: String(room), ...(numeric ? { RoomIdType: 0 as const } : byString ? { RoomIdType: 1 as const } : {}) };
  if (typeof args.CommId === 'string') t.CommId = args.CommId;
  if (typeof args.StartTime === 'string' || typeof args.StartTime === 'number') t.StartTime = args.StartTime;
  if (typeof args.EndTime === 'string' || typeof args.EndTime === 'number') t.EndTime = args.EndTime;
  return t;
}

// ---- Talking to the server through the host.
async function callTool(name: string, args: Record<string, unknown>): Promise<ToolResult> {
  try {
    return await bridge.request<ToolResult>('tools/call', { name, arguments: args });
  } catch (err) {
    // The host, or the server through it, refused the call outright (an unknown or hidden tool, a protocol error).
    return { isError: true, content: [{ type: 'text', text: err instanceof HostError ? err.message : String(err) }] };
  }
}

const textOf = (r: ToolResult) => (r.content ?? []).filter((c) => c.type === 'text' && !String(c.text).startsWith('Sandbox:')).map((c) => c.text).join('\n');

async function load(): Promise<void> {
  if (!target) return;
  $('status').textContent = 'Loading…';
  const r = await callTool('room_console', { ...target });
  if (r.isError || !r.structuredContent) {
    $('status').textContent = '';
    notice('error', textOf(r) || 'The console could not be loaded.');
    return;
  }
  render(r.structuredContent as ConsoleData);
  $('status').textContent = '';
}

// ---- Notices: refusals, consent requests, outcomes.
function notice(kind: 'error' | 'done' | 'consent', text: string, actions: Array<[string, () => void]> = []): void {
  const box = $('notice');
  box.replaceChildren(el('div', { class: `notice ${kind}`, 'data-kind': kind }, [
    el('pre', {}, [visible(text, true)]),
    ...actions.map(([label, run]) => {
      const b = el('button', { type: 'button' }, [label]);
      b.addEventListener('click', run);
      return b;
    }),
  ]));
}

/** An action: the tool's own answer decides what happens; consent is the server's question, shown as it asked it. */
async function act(name: string, args: Record<string, unknown>): Promise<void> {
  const r = await callTool(name, args);
  const token = r._meta?.confirmation?.token;
  if (r.isError && typeof token === 'string') {
    notice('consent', textOf(r), [
      ['Confirm', () => void act(name, { ...args, confirmationToken: token })],
      ['Cancel', () => notice('done', `Nothing was sent: ${name} was cancelled.`)],
    ]);
    return;
  }
  if (r.isError) {
    notice('error', textOf(r));
    return;
  }
  notice('done', `${name} done.`);
  latest();
  await load();
}

/** From now on, the latest hour: what an action changed shows, whatever window the first call named. */
function latest(): void {
  if (target) target = { RoomId: target.RoomId, RoomIdType: target.RoomIdType, CommId: target.CommId };
}

function actions(data: ConsoleData, p: Participant): HTMLElement {
  const cell = el('td', { class: 'actions' });
  if (p.Finished) return cell;
  const numeric = data.Room.RoomIdType === 0;
  const room = data.Room.RoomId;
  const button = (label: string, run: () => void, cls = '') => {
    const b = el('button', { type: 'button', class: cls, 'data-action': label.toLowerCase().replace(/ /g, '-'), 'data-user': p.UserId }, [label]);
    b.addEventListener('click', run);
    cell.append(b);
  };
  const block = (IsMute: number) => (numeric ? act('SetUserBlocked', { RoomId: Number(room), UserId: p.UserId, IsMute }) : act('SetUserBlockedByStrRoomId', { StrRoomId: room, UserId: p.UserId, IsMute }));
  button('Mute', () => void block(1));
  button('Unmute', () => void block(0));
  button('Remove', () => void act(numeric ? 'RemoveUser' : 'RemoveUserByStrRoomId', { RoomId: numeric ? Number(room) : room, UserIds: [p.UserId] }), 'danger');
  if (p.BotTaskId) button('Stop bot', () => void act('StopAIConversation', { TaskId: p.BotTaskId }), 'danger');
  return cell;
}

// ---- The page.
const CHARTS: Array<{ title: string; unit: string; series: Array<[string, string]>; scale?: number }> = [
  { title: 'Packet loss', unit: '%', series: [['aLoss', 'audio'], ['bigvLoss', 'video']] },
  { title: 'Stutter', unit: 'ms', series: [['aBlock', 'audio'], ['bigvBlock', 'video']] },
  { title: 'Bitrate', unit: 'kbps', series: [['aBit', 'audio'], ['bigvBit', 'video']], scale: 1 / 1000 },
  { title: 'Resolution', unit: 'px high', series: [['bigvHeight', 'video']] },
];

function render(d: ConsoleData): void {
  const { EndTime: end } = d.Window;
  // The charts start when the first of their users joined: the window before that holds nothing to see.
  const joins = d.Participants.filter((p) => d.Series.some((s) => s.UserId === p.UserId)).map((p) => p.JoinTs ?? 0);
  const start = Math.max(d.Window.StartTime, Math.min(end - 60, ...joins));
  $('room').replaceChildren(foreign(d.Room.RoomId));
  $('window').replaceChildren(`${d.Call ? 'call ' : 'no call in this window'}`, ...(d.Call ? [foreign(d.Call.CommId, 'comm')] : []), ` · ${clock(start)}–${clock(end)} UTC`);

  const rows = d.Participants.map((p) => el('tr', { 'data-user': p.UserId, class: p.Verdict === 'POOR' ? 'poor' : '' }, [
    el('td', {}, [foreign(p.UserId), ...(p.BotTaskId ? [el('span', { class: 'tag' }, ['AI bot'])] : [])]),
    el('td', {}, [p.Finished ? `left ${clock(p.LeaveTs)}` : p.JoinTs ? `in since ${clock(p.JoinTs)}` : 'in the room']),
    el('td', {}, [foreign(p.DeviceType ?? '', 'plain'), ...(p.Network ? [' · ', foreign(p.Network, 'plain')] : [])]),
    el('td', {}, [p.Verdict === 'POOR' ? el('span', { class: 'badge poor', title: (p.Why ?? []).join(', ') }, ['POOR']) : p.Verdict ? el('span', { class: 'badge ok' }, ['OK']) : '']),
    actions(d, p),
  ]));
  $('people').replaceChildren(rows.length
    ? el('table', {}, [el('thead', {}, [el('tr', {}, ['User', 'In the call', 'Device · network', 'Quality', ''].map((h) => el('th', {}, [h])))]), el('tbody', {}, rows)])
    : el('p', { class: 'empty' }, ['Nobody was in this room in the window.']));

  const cards = d.Participants.filter((p) => d.Series.some((s) => s.UserId === p.UserId)).map((p) => {
    const markers: Marker[] = [
      ...d.Abnormal.filter((a) => a.UserId === p.UserId).map((a): Marker => ({ kind: 'abnormal', time: a.Time, label: `${a.Meaning}: ${a.Causes.join('; ')}` })),
      ...(p.JoinTs && p.JoinTs > start ? [{ kind: 'join' as const, time: p.JoinTs, label: 'joined' }] : []),
      ...(p.Finished && p.LeaveTs ? [{ kind: 'leave' as const, time: p.LeaveTs, label: 'left' }] : []),
    ];
    const charts = CHARTS.map((c) => {
      const lines: Line[] = c.series.map(([key, label], tone) => ({
        key, label, tone,
        points: (d.Series.find((s) => s.UserId === p.UserId && s.DataType === key)?.Points ?? []).map(([t, v]) => [t, v * (c.scale ?? 1)] as const),
      }));
      // One scale for every user's chart of a metric, so that the worst stands out.
      const top = Math.max(0, ...d.Series.filter((s) => c.series.some(([key]) => key === s.DataType)).flatMap((s) => s.Points.map((pt) => pt[1] * (c.scale ?? 1))));
      return el('figure', { 'data-metric': c.title }, [el('figcaption', {}, [`${c.title} (${c.unit})`, ...c.series.map(([, label], i) => el('span', { class: `key tone${i}` }, [label]))]), lineChart(c.title, c.unit, lines, markers, start, end, top)]);
    });
    return el('article', { class: `card${p.Verdict === 'POOR' ? ' poor' : ''}`, 'data-user': p.UserId }, [
      el('h3', {}, [foreign(p.UserId), p.Verdict === 'POOR' ? el('span', { class: 'badge poor' }, ['POOR']) : '']),
      ...(p.Why?.length ? [el('p', { class: 'why' }, [p.Why.join(', ')])] : []),
      ...charts,
    ]);
  });
  $('quality').replaceChildren(...(cards.length ? cards : [el('p', { class: 'empty' }, ['No quality data for this window.'])]));

  $('abnormal').replaceChildren(d.Abnormal.length
    ? el('ol', {}, d.Abnormal.map((a) => el('li', { 'data-user': a.UserId, 'data-time': String(a.Time) }, [el('time', {}, [clock(a.Time)]), ' ', foreign(a.UserId), `: ${a.Meaning}`, a.Causes.length ? ` (${a.Causes.join('; ')})` : ''])))
    : el('p', { class: 'empty' }, ['No bad experiences sampled in this window.']));

  const events = d.Events ?? [];
  $('events').replaceChildren(events.length
    ? el('ol', {}, events.map((e) => el('li', {}, [el('time', {}, [e.Time.slice(11, 19)]), ' ', e.Meaning, ...(e.UserId ? [': ', foreign(e.UserId)] : []), ...(e.Text ? [' ', foreign(`“${e.Text}”`, 'said')] : [])])))
    : el('p', { class: 'empty' }, [d.Events ? 'No callback events for this room yet.' : 'Callback events are not available on this server.']));

  $('problems').replaceChildren(...d.Problems.map((p) => el('p', { class: 'problem', 'data-tool': p.tool }, [`${p.part} (${p.tool}): `, visible(p.message, true)])));
}

// ---- Start: handshake, theme, then whatever the host says the call was about.
let lastInput: Record<string, unknown> = {};
bridge.on('ui/notifications/tool-input', (p: { arguments?: Record<string, unknown> }) => {
  lastInput = p?.arguments ?? {};
  target = targetOf(lastInput);
  void load();
});
bridge.on('ui/notifications/tool-result', (r: ToolResult) => {
  if (target) return;
  target = targetOf(lastInput, r);
  if (target) void load();
  else $('status').textContent = 'This answer names no room.';
});
bridge.on('ui/notifications/tool-cancelled', () => {
  $('status').textContent = 'The call was cancelled.';
});
bridge.on('ui/notifications/host-context-changed', (ctx: McpUiHostContext) => applyHost(ctx));
$('refresh').addEventListener('click', () => {
  latest();
  void load();
});

let sent = '';
new ResizeObserver(() => {
  const r = document.documentElement.getBoundingClientRect();
  const size = { width: Math.ceil(r.width), height: Math.ceil(r.height) };
  if (JSON.stringify(size) === sent) return;
  sent = JSON.stringify(size);
  bridge.notify('ui/notifications/size-changed', size);
}).observe(document.documentElement);

void bridge.initialize('trtc-room-console', '1').then(applyHost).catch((err) => notice('error', `The host did not answer: ${String(err)}`));
