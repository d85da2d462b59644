import type { Slot } from '../rate-limit.js';

// Durable state that outlives a process and is shared by every process using the same store: single-use records
// (spent confirmation tokens and request states), the ledger of what this server started, and event logs.
// Callers never know which implementation they hold: the embedded file store (default), Redis (replicas), or
// memory (unit tests, and the sandbox's own state; never a silent fallback, since it would reopen replay across
// processes).

/** One entry of a log, with the sequence number the store gave it (increasing within the log, never reused). */
export interface LogEntry<T = unknown> {
  seq: number;
  /** When it was appended, in ms since the epoch (the store's clock). */
  time: number;
  entry: T;
}

export interface AppendOptions {
  /** The newest this many entries are kept. */
  maxEntries: number;
  /** Entries older than this are dropped. */
  maxAgeMs: number;
  /** A second append with the same key, while the first is retained, stores nothing and reports a duplicate. */
  dedupeKey?: string;
}

export interface ReadOptions {
  /** Only entries with a greater sequence number (a cursor from an earlier read). */
  after?: number;
  /** At most this many entries, oldest first. */
  limit: number;
}

export interface LogPage<T = unknown> {
  entries: LogEntry<T>[];
  /** The highest sequence number the log has handed out so far (0 when none): a cursor that skips everything. */
  last: number;
  /** The lowest sequence number still retained; a cursor below it has missed entries that were dropped. */
  first: number;
}

/** A value and the revision it was stored as (1 for the first write). */
export interface Revised<T = unknown> {
  value: T;
  rev: number;
}

export interface Store {
  /** 'file', 'redis' or 'memory'. */
  readonly kind: string;
  /** Where the state lives, for logs and /healthz (credentials in a URL are masked). */
  readonly location: string;

  /**
   * Records `key` under namespace `ns` unless it is already recorded, atomically across every process sharing the
   * store: true for the first caller only. The record is kept at least until `expiresAt` (ms since the epoch) and
   * may be forgotten after it, so what is claimed must carry its own expiry and be refused once it has passed.
   */
  claim(ns: string, key: string, expiresAt: number): Promise<boolean>;

  /** Stores a JSON value under `key`, replacing any earlier one, until `expiresAt`. */
  put(ns: string, key: string, value: unknown, expiresAt: number): Promise<void>;
  /** The value stored under `key`, or undefined when there is none or it expired. */
  get<T = unknown>(ns: string, key: string): Promise<T | undefined>;

  /**
   * A value kept with a revision, for read-modify-write by several processes at once: the value and its revision,
   * or undefined when there is none or it expired. These keys live apart from put/get's.
   */
  getRevised<T = unknown>(ns: string, key: string): Promise<Revised<T> | undefined>;
  /**
   * Stores `value` as revision `rev + 1`, only if the stored revision is still `rev` (0: only if there is none),
   * atomically across every process sharing the store: false when another writer got there first (read again and
   * retry). Kept until `expiresAt`.
   */
  putRevised(ns: string, key: string, rev: number, value: unknown, expiresAt: number): Promise<boolean>;

  /** Appends to a bounded log (created on first use). */
  append(log: string, entry: unknown, opts: AppendOptions): Promise<{ seq: number; duplicate: boolean }>;
  /** Reads a log oldest first; an unknown log reads as empty. */
  read<T = unknown>(log: string, opts: ReadOptions): Promise<LogPage<T>>;

  /**
   * Reserves the earliest slot, at most `maxWaitMs` away, in the sliding window `key` that allows `limit` per
   * `windowMs` (see SlidingWindows): the caller waits `waitMs` and then sends. When the earliest is further away,
   * nothing is reserved and `waitMs` says how far. A shared store shares the window with every process using it
   * (Tencent's limits are per account and action, not per process); the embedded store keeps it per process.
   */
  reserve(key: string, limit: number, windowMs: number, maxWaitMs: number): Promise<Slot>;

  /** Whether the state is shared beyond this host (several replicas): rate windows are then fleet-wide. */
  readonly shared: boolean;

  /** Resolves when the store can be reached; throws StoreUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The store cannot be reached (or written): callers that need it refuse, and say so. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/** Namespaces in use, kept in one place so that two features never share one by accident. */
export const NS = {
  /** Spent confirmation tokens. */
  spentTokens: 'spent-token',
  /** Spent requestStates of the 2026-07-28 protocol's multi-round-trip requests. */
  spentRequestStates: 'spent-request-state',
  /** What this server started: TaskId, CallId, BattleId... -> app and room. */
  ledger: 'ledger',
  /** Keys the server made for itself and keeps across restarts (the confirmation-token key in sandbox mode). */
  keys: 'key',
  /** Approvals: what was asked (written once), its decision (claimed once, then written), its use (claimed once). */
  approvals: 'approval',
  approvalDecided: 'approval-decided',
  approvalDecisions: 'approval-decision',
  spentApprovals: 'spent-approval',
  /** A requester's pending approval of the same call, so that asking again does not ask the approvers twice. */
  approvalAsked: 'approval-asked',
  /** Signed-in approvers' sessions, by a digest of the session cookie. */
  approverSessions: 'approver-session',
  /** Jobs that calls started and clients follow (MCP tasks): revised records, and their index by what TRTC names. */
  jobs: 'job',
  jobIndex: 'job-index',
  /** One poll of a job's Describe read per interval, fleet-wide. */
  jobPolls: 'job-poll',
} as const;
