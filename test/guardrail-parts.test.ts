// The pieces behind the guardrails, one by one: effects declared by the catalog agree with the annotations, the
// scope test others reuse, the consent text's escaping, and the redactor's cut.
import { describe, expect, it } from 'vitest';
import { worstEffect } from '../tools/define.js';
import { CATALOG } from '../tools/index.js';
import { addSecret, clipText, redactText } from '../src/redact.js';
import { canFillForms, describeIntent, quote } from '../src/guardrails/consent.js';
import { annotationsOf } from '../src/server/catalog.js';
import { Ledger, LEDGER_TTL_MS } from '../src/guardrails/ledger.js';
import { MemoryStore } from '../src/store/memory.js';
import { parseRoomPattern } from '../src/guardrails/room-pattern.js';
import { appInScope, inScope, room, roomInScope, roomsIn, roomsInValue } from '../src/guardrails/scope.js';

describe('effects by argument pattern', () => {
  it.each(CATALOG.filter((d) => d.effectOf || d.bot).map((d) => [d.name, d] as const))('%s: the worst pattern is the declared effect, and the annotations say so', (_name, def) => {
    const worst = worstEffect(def.effectOf?.otherwise ?? def.effect, ...(def.effectOf?.rules ?? []).map((r) => r.effect), def.bot ? 'destructive' : 'read');
    expect(worst).toBe(def.effect);
    expect(annotationsOf(def).destructiveHint).toBe(def.effect === 'destructive');
    expect(def.effectOf?.otherwise).not.toBe('read');
  });

  it('every tool that names a target by ID says how scope resolves it, and every start records what it starts', () => {
    const byId = /^(TaskId|CallId|BattleId|CommId)$/;
    for (const def of CATALOG) {
      const named = Object.keys((def.agentInput ?? def.input).shape).filter((k) => byId.test(k));
      expect(Boolean(def.targets), `${def.name} names ${named.join(', ') || 'nothing'} by ID`).toBe(named.length > 0);
    }
    for (const name of ['StartAIConversation', 'StartAITranscription', 'CreateCloudRecording', 'StartPublishCdnStream', 'StartStreamIngest', 'call_start_by_robot', 'pk_create_battle']) {
      expect(CATALOG.find((d) => d.name === name)!.started, name).toBeDefined();
    }
  });
});

describe('the ledger', () => {
  it('remembers what was started, with its bot, under the app, until its entries expire', async () => {
    let now = 1_800_000_000_000;
    const ledger = new Ledger(new MemoryStore(() => now), () => now);
    await ledger.recordStarted([{ ref: { kind: 'task', id: 'T1' }, rooms: ['team-1'], bot: { kind: 'bot', id: 'b' } }, { ref: { kind: 'call', id: 'C1' }, rooms: ['r'] }], 7, 'DescribeAIConversation');
    expect(await ledger.find({ kind: 'task', id: 'T1' }, undefined)).toEqual({ app: 7, rooms: ['team-1'] });
    expect(await ledger.find({ kind: 'bot', id: 'b' }, 7)).toEqual({ app: 7, rooms: ['team-1'], task: 'T1', describe: 'DescribeAIConversation' });
    expect(await ledger.find({ kind: 'call', id: 'C1' }, 7)).toEqual({ app: 7, rooms: ['r'] });
    // IDs other than TaskIds are only unique within their app.
    expect(await ledger.find({ kind: 'call', id: 'C1' }, 8)).toBeUndefined();
    now += LEDGER_TTL_MS + 1;
    expect(await ledger.find({ kind: 'task', id: 'T1' }, undefined)).toBeUndefined();
  });
});

describe('scope, as others reuse it', () => {
  const config = { allowApps: [1400000001], allowRooms: ['str:team-*', '42'] };
  it('matches apps exactly and rooms by pattern and kind: a numeric pattern numeric rooms, str: string rooms', () => {
    expect(appInScope(config, 1400000001)).toBe(true);
    expect(appInScope(config, 1400000002)).toBe(false);
    expect(appInScope(config, undefined)).toBe(false);
    expect(roomInScope(config, room('team-1', 'str'))).toBe(true);
    expect(roomInScope(config, room('xteam-1', 'str'))).toBe(false);
    expect(roomInScope(config, room(42))).toBe(true);
    expect(roomInScope(config, room(420))).toBe(false);
    // Numeric 42 is allowed, string room "42" is another room.
    expect(roomInScope(config, room('42', 'str'))).toBe(false);
    // Text of unknown kind (a quality read's RoomId) is in scope when either room it may name is.
    expect(roomInScope(config, room('42'))).toBe(true);
    expect(roomInScope(config, room('team-1'))).toBe(true);
    expect(roomInScope(config, room('0042'))).toBe(false);
    expect(inScope(config, { app: 1400000001, room: room('team-x', 'str') })).toBe(true);
    expect(inScope(config, { app: 1400000001, room: room('secret', 'str') })).toBe(false);
    expect(inScope({ allowApps: [], allowRooms: [] }, { app: 7, room: room('any') })).toBe(true);
  });

  it('reads patterns as one kind of room each, and refuses one that could mean both', () => {
    const kinds = (...p: string[]) => p.map((x) => { const r = parseRoomPattern(x); return typeof r === 'string' ? r : r.kind; });
    expect(kinds('1234', '12*', 'int:*', 'str:1234', 'team-*', 'str:*', '1234-a')).toEqual(['int', 'int', 'int', 'str', 'str', 'str', 'str']);
    expect(parseRoomPattern('*')).toMatch(/could mean numeric or string rooms: write int:\* for every numeric room, str:\* for every string room/);
    expect(parseRoomPattern('int:ab')).toMatch(/a numeric room pattern has only digits and \*/);
    expect(parseRoomPattern('str:')).toMatch(/names no room/);
  });

  it('finds room IDs under every name and depth, each with the kind its declaration, RoomIdType or API says', () => {
    const byName = (n: string) => CATALOG.find((d) => d.name === n)!;
    expect(roomsIn(byName('RemoveUser'), { RoomId: 1234 })).toEqual([{ id: '1234', kind: 'int' }]);
    expect(roomsIn(byName('RemoveUserByStrRoomId'), { RoomId: '1234' })).toEqual([{ id: '1234', kind: 'str' }]);
    expect(roomsIn(byName('SetUserBlockedByStrRoomId'), { StrRoomId: 'a' })).toEqual([{ id: 'a', kind: 'str' }]);
    expect(roomsIn(byName('StartAIConversation'), { RoomId: '1234', RoomIdType: 1 })).toEqual([{ id: '1234', kind: 'str' }]);
    expect(roomsIn(byName('StartAIConversation'), { RoomId: '1234' })).toEqual([{ id: '1234', kind: 'int' }]);
    expect(roomsIn(byName('pk_create_battle'), { FromRoomId: 'a', ToRoomIdList: ['b', 'c'] })).toEqual([{ id: 'a', kind: 'str' }, { id: 'b', kind: 'str' }, { id: 'c', kind: 'str' }]);
    expect(roomsIn(byName('DescribeRoomInfo'), { RoomId: '1234' })).toEqual([{ id: '1234', kind: undefined }]);
    expect(roomsInValue({ RoomId: 1, StrRoomId: 'a', FromRoomId: 'b', ToRoomIdList: ['c'], FeedBackRoomParams: [{ RoomId: 'd' }], ScoreList: [{ RoomId: 'e' }], RoomInfo: { RoomId: 'f' } }).map((r) => r.id).sort())
      .toEqual(['1', 'a', 'b', 'c', 'd', 'e', 'f']);
  });
});

describe('what the human is shown', () => {
  const def = CATALOG.find((d) => d.name === 'conference_kick_user_out')!;

  it('quotes values and escapes every character that could break or reorder a line', () => {
    expect(quote('a\nb\r\u0000\u2028\u2029\u202e\u200b\u00ad"\\')).toBe('"a\\nb\\r\\u0000\\u2028\\u2029\\u202e\\u200b\\u00ad\\"\\\\"');
    const text = describeIntent(def, 1400000001, { RoomId: 'r\nInjected: yes', MemberList_Account: ['a'], Reason: 'ok' }, 'destructive');
    expect(text.split('\n')).toEqual([
      `conference_kick_user_out on app 1400000001: ${def.description}`,
      'Effect: destructive',
      '  RoomId: "r\\nInjected: yes"',
      '  MemberList_Account: ["a"]',
      '  Reason: "ok"',
    ]);
  });

  it('shows identifiers in full and shortens other long text with its length and digest', () => {
    const id = `user-${'p'.repeat(300)}`;
    const text = describeIntent(def, undefined, { RoomId: 'r', MemberList_Account: [id], Reason: 'r'.repeat(500) }, 'destructive', 'why');
    expect(text).toContain(`MemberList_Account: ["${id}"]`);
    expect(text).toMatch(/Reason: "r{80}"… \(500 characters, sha256 [0-9a-f]{12}\)/);
    expect(text).toContain('Effect: destructive: why');
  });
});

describe('clipText', () => {
  it('redacts first, never ends inside a mask or a surrogate pair, and says how much it left out', () => {
    addSecret('clip-secret-value-01');
    // Redacted, the text is 15 a's, the 10-character mask, and " tail": 30 characters.
    const text = `${'a'.repeat(15)}clip-secret-value-01 tail`;
    expect(clipText(text, 20)).toEqual({ text: 'a'.repeat(15), cut: 15 });
    expect(clipText(text, 27)).toEqual({ text: `${'a'.repeat(15)}[redacted] t`, cut: 3 });
    expect(clipText(text, 30)).toEqual({ text: `${'a'.repeat(15)}[redacted] tail`, cut: 0 });
    expect(clipText('ab😀cd', 3)).toEqual({ text: 'ab', cut: 4 });
    expect(redactText('x clip-secret-value-01')).toBe('x [redacted]');
  });
});

describe('which clients can be asked', () => {
  it('counts a declared form mode, or a bare elicitation capability (its meaning before modes), and nothing else', () => {
    expect(canFillForms({ elicitation: {} })).toBe(true);
    expect(canFillForms({ elicitation: { form: {} } })).toBe(true);
    expect(canFillForms({ elicitation: { form: {}, url: {} } })).toBe(true);
    expect(canFillForms({ elicitation: { url: {} } })).toBe(false);
    expect(canFillForms({})).toBe(false);
    expect(canFillForms(undefined)).toBe(false);
  });
});
