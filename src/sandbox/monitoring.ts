// Monitoring data derived from the world's history, so that every answer agrees with what happened:
// calls (a room from its creation to its close) with their CommId, who joined and left them and how,
// quality figures that are deterministic per user (hashed from IDs, or seeded "poor"), and usage minutes.
import { roomKey, type App, type BlockMode, type QualityLevel, type RoomKind, type World } from './world.js';

export interface Session {
  userId: string;
  joinedAt: number;
  leftAt?: number;
  how?: 'left' | 'kicked' | 'dismissed';
  /** IsMute changes during the session, in time order. */
  blocks: Array<{ time: number; mode: BlockMode }>;
}

export interface Call {
  commId: string;
  kind: RoomKind;
  roomString: string;
  createdAt: number;
  closedAt?: number;
  creator?: string;
  sessions: Session[];
}

/** FNV-1a: a stable 32-bit hash, so figures are the same in every run. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
const unit = (text: string) => hash32(text) / 2 ** 32;

/** Every call of the app, oldest first, rebuilt from the event history. */
export function callsOf(world: World, app: App): Call[] {
  const open = new Map<string, Call>();
  const calls: Call[] = [];
  const sessionOf = (call: Call | undefined, userId: string | undefined) =>
    call?.sessions.findLast((s) => s.userId === userId && s.leftAt === undefined);
  for (const e of app.events) {
    const key = roomKey(e.kind, e.roomId);
    if (e.type === 'create') {
      const roomNumber = e.kind === 'int' ? Number(e.roomId) : hash32(String(e.roomId));
      const call: Call = { commId: `${app.sdkAppId}_${roomNumber}_${Math.floor(e.time / 1000)}`, kind: e.kind, roomString: String(e.roomId), createdAt: e.time, sessions: [] };
      open.set(key, call);
      calls.push(call);
      continue;
    }
    const call = open.get(key);
    if (!call) continue;
    if (e.type === 'join' && e.userId) {
      call.sessions.push({ userId: e.userId, joinedAt: e.time, blocks: [] });
      call.creator ??= e.userId;
    } else if (e.type === 'leave' || e.type === 'kicked') {
      const s = sessionOf(call, e.userId);
      if (s) Object.assign(s, { leftAt: e.time, how: e.type === 'leave' ? 'left' : e.detail?.by === 'dismiss' ? 'dismissed' : 'kicked' });
    } else if (e.type === 'blocked') {
      sessionOf(call, e.userId)?.blocks.push({ time: e.time, mode: e.detail?.IsMute as BlockMode });
    } else if (e.type === 'closed' || e.type === 'dismissed') {
      call.closedAt = e.time;
      open.delete(key);
    }
  }
  // A block given in the seed has no event: it holds from the join.
  for (const call of open.values()) {
    for (const s of call.sessions) {
      const seeded = world.room(app, call.kind, call.kind === 'int' ? Number(call.roomString) : call.roomString)?.users.get(s.userId)?.block;
      if (s.leftAt === undefined && !s.blocks.length && seeded) s.blocks.push({ time: s.joinedAt, mode: seeded });
    }
  }
  return calls;
}

/** Whether [from, to) overlaps the lifetime of something that ran from `start` to `end` (still running if undefined). */
export const overlaps = (start: number, end: number | undefined, from: number, to: number) => start < to && (end === undefined || end > from);

export const blockAt = (s: Session, t: number): BlockMode => s.blocks.reduce<BlockMode>((mode, b) => (b.time <= t ? b.mode : mode), 0);
export const audioBlocked = (mode: BlockMode) => mode === 1 || mode === 2;
export const videoBlocked = (mode: BlockMode) => mode === 1 || mode === 3;

export const qualityOf = (app: App, userId: string): QualityLevel => app.quality.get(userId) ?? 'good';

/**
 * Ranges per metric: [low, high] for a good connection and for a poor one. Poor is a weak uplink (a mobile network):
 * packets are lost and late, so audio and video stutter and the encoder sends less (lower bitrate, frame rate and
 * resolution), while the device itself is fine (CPU, capture and rendering as good). Every quality answer tells
 * that one story: DescribeUnusualEvent names the same causes, DescribeUserEvent the network.
 */
const RANGES: Record<string, Record<QualityLevel, [number, number]>> = {
  appCpu: { good: [8, 30], poor: [8, 30] },
  sysCpu: { good: [20, 45], poor: [20, 45] },
  aBit: { good: [40_000, 56_000], poor: [12_000, 24_000] },
  aBlock: { good: [0, 40], poor: [400, 1500] },
  aLoss: { good: [0, 2], poor: [15, 35] },
  bigvBit: { good: [600_000, 1_000_000], poor: [80_000, 250_000] },
  bigvCapFps: { good: [14, 15], poor: [14, 15] },
  bigvEncFps: { good: [14, 15], poor: [4, 8] },
  bigvDecFps: { good: [14, 15], poor: [14, 15] },
  bigvBlock: { good: [0, 80], poor: [700, 2500] },
  bigvLoss: { good: [0, 2], poor: [18, 40] },
  bigvWidth: { good: [1280, 1280], poor: [320, 320] },
  bigvHeight: { good: [720, 720], poor: [240, 240] },
};
/** What a weak uplink causes, as DescribeUnusualEvent's AbnormalEventIds: packet loss of the medium, and latency. */
export const POOR_UPLINK_CAUSES = { audio: [2005, 2003], video: [2007, 2003] } as const;
export const METRIC_NAMES = Object.keys(RANGES);

/** One sample of a metric for a user at time t (ms): deterministic, and zero for what a block silences. */
export function sample(app: App, s: Session, metric: string, t: number): number {
  const range = RANGES[metric]![qualityOf(app, s.userId)];
  const mode = blockAt(s, t);
  if ((metric.startsWith('a') && metric !== 'appCpu' && audioBlocked(mode)) || (metric.startsWith('bigv') && videoBlocked(mode))) return 0;
  const value = range[0] + (range[1] - range[0]) * unit(`${s.userId}|${metric}|${Math.floor(t / 1000)}`);
  return metric.endsWith('Loss') ? Math.round(value * 10) / 10 : Math.round(value);
}

/** A stutter rate (%) for the dashboards: small for good connections, large for poor ones. */
export function freezeRate(app: App, s: Session, media: 'audio' | 'video', t: number): number {
  const poor = qualityOf(app, s.userId) === 'poor';
  return (poor ? 10 : 0) + (poor ? 20 : 1) * unit(`${s.userId}|${media}Freeze|${Math.floor(t / 60_000)}`);
}

const DEVICES = ['iPhone', 'Android', 'Windows', 'Mac', 'Web'];
/** Phones, the devices a mobile network (a poor connection) is on. */
const PHONES = DEVICES.slice(0, 2);
/** Device details that stay the same for a user. */
export function deviceOf(userId: string, quality: QualityLevel = 'good') {
  const h = hash32(userId);
  const devices = quality === 'poor' ? PHONES : DEVICES;
  return {
    DeviceType: devices[h % devices.length]!,
    SdkVersion: `11.${(h >>> 3) % 9}.${(h >>> 7) % 20}`,
    ClientIp: `10.${(h >>> 8) & 255}.${(h >>> 16) & 255}.${((h >>> 24) & 253) + 1}`,
  };
}

/** The resolution tier a user's video is billed at; video blocked counts as audio only. */
const TIERS = ['SD', 'HD', 'FullHD'] as const;
export const tierOf = (userId: string) => TIERS[hash32(`${userId}|tier`) % TIERS.length]!;

/** Minutes a session spent in each usage tier within [from, to). */
export function minutesByTier(s: Session, from: number, to: number, now: number): Map<string, number> {
  const out = new Map<string, number>();
  const start = Math.max(from, s.joinedAt);
  const end = Math.min(to, s.leftAt ?? now);
  const edges = [start, ...s.blocks.map((b) => b.time).filter((t) => t > start && t < end), end];
  for (let i = 0; i + 1 < edges.length; i++) {
    const [a, b] = [edges[i]!, edges[i + 1]!];
    if (b <= a) continue;
    const tier = videoBlocked(blockAt(s, a)) ? 'Audio' : tierOf(s.userId);
    out.set(tier, (out.get(tier) ?? 0) + (b - a) / 60_000);
  }
  return out;
}
