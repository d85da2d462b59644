// The pieces behind the monitoring tools, without a network: time conversion and windows, answer budgets,
// paging, and event meanings.
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ArgumentError, cloudAction } from '../tools/define.js';
import { eventMeaning } from '../tools/meanings.js';
import { CATALOG } from '../tools/index.js';
import { DAY, HOUR, parseInstant, windowToWire, type TimeWindow } from '../tools/time.js';
import { ANSWER_BUDGET_CHARS, capNotes, cutNote, fitToBudget, jsonBytes, thin } from '../src/server/budget.js';
import { fetchAnswer, shapeAnswer } from '../src/server/paging.js';

const NOW = Date.UTC(2025, 4, 20, 12, 0, 0); // 2025-05-20T12:00:00Z
const env = { sdkAppId: 1, now: () => NOW };
const unix: TimeWindow = { form: 'unix', lookback: 14 * DAY, maxSpan: 24 * HOUR };

function rejection(w: TimeWindow, StartTime: unknown, EndTime: unknown): string {
  try {
    windowToWire(w, { StartTime, EndTime }, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ArgumentError);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('time arguments', () => {
  it.each([
    ['Unix seconds', 1747735200, 1747735200],
    ['Unix seconds as digits', '1747735200', 1747735200],
    ['Unix milliseconds', 1747735200000, 1747735200],
    ['ISO-8601 in UTC', '2025-05-20T10:00:00Z', 1747735200],
    ['ISO-8601 with an offset', '2025-05-20T18:00:00+08:00', 1747735200],
    ['ISO-8601 with a compact offset', '2025-05-20T05:00:00-0500', 1747735200],
    ['ISO-8601 without a zone (UTC)', '2025-05-20T10:00', 1747735200],
    ['ISO-8601 with zero milliseconds', '2025-05-20T10:00:00.000Z', 1747735200],
  ])('converts %s exactly to Unix seconds', (_label, value, seconds) => {
    expect(windowToWire(unix, { StartTime: value, EndTime: '2025-05-20T11:00:00Z' }, env).StartTime).toBe(seconds);
  });

  it('drops the milliseconds of a clock reading, since the API counts seconds', () => {
    expect(windowToWire(unix, { StartTime: '2025-05-20T10:00:00.999Z', EndTime: 1747738800123 }, env)).toEqual({ StartTime: 1747735200, EndTime: 1747738800 });
  });

  it('converts to the date and minute forms in UTC, keeping other arguments', () => {
    const date: TimeWindow = { form: 'date', maxSpan: 31 * DAY };
    expect(windowToWire(date, { StartTime: '2025-05-01', EndTime: '2025-05-20T23:30:00-02:00', MixType: 'single' }, env))
      .toEqual({ StartTime: '2025-05-01', EndTime: '2025-05-21', MixType: 'single' });
    const minute: TimeWindow = { form: 'minute', maxSpan: 24 * HOUR };
    expect(windowToWire(minute, { StartTime: '2025-05-20T08:15:00+08:00', EndTime: 1747735260 }, env))
      .toMatchObject({ StartTime: '2025-05-20 00:15', EndTime: '2025-05-20 10:01' });
  });

  it.each([
    ['a day that does not exist', '2025-02-30T00:00:00Z', /StartTime: must be Unix s\/ms or ISO-8601/],
    ['words', 'yesterday', /StartTime: must be Unix s\/ms or ISO-8601/],
  ])('rejects %s and names the field', (_label, value, message) => {
    expect(rejection(unix, value, '2025-05-20T11:00:00Z')).toMatch(message);
  });

  it('states the allowed window when one is broken', () => {
    expect(rejection(unix, '2025-05-06T11:59:59Z', '2025-05-06T12:00:00Z'))
      .toBe('StartTime: must be within the last 14 days: not before 2025-05-06T12:00:00Z; got 2025-05-06T11:59:59Z');
    expect(windowToWire(unix, { StartTime: '2025-05-06T12:00:00Z', EndTime: '2025-05-06T13:00:00Z' }, env).StartTime).toBe(NOW / 1000 - 14 * 86400);
    expect(rejection(unix, '2025-05-19T10:00:00Z', '2025-05-20T10:00:01Z'))
      .toBe('EndTime: must be at most 24 hours from StartTime, so not after 2025-05-20T10:00:00Z; got 2025-05-20T10:00:01Z. Split longer periods into several queries');
    expect(rejection(unix, '2025-05-20T10:00:00Z', '2025-05-20T10:00:00Z')).toMatch(/^EndTime: must be after StartTime \(2025-05-20T10:00:00Z\)/);
    expect(rejection(unix, '2025-05-20T12:00:01Z', '2025-05-20T13:00:00Z')).toMatch(/^StartTime: must not be in the future/);
  });

  it('counts both dates of a date window, and allows a single day', () => {
    const month: TimeWindow = { form: 'date', maxSpan: 31 * DAY };
    expect(windowToWire(month, { StartTime: '2025-04-01', EndTime: '2025-05-01' }, env).EndTime).toBe('2025-05-01');
    expect(rejection(month, '2025-04-01', '2025-05-02')).toMatch(/EndTime: must be at most 31 days from StartTime \(both dates count\), so not after 2025-05-01/);
    expect(windowToWire(month, { StartTime: '2025-05-20', EndTime: '2025-05-20' }, env).EndTime).toBe('2025-05-20');
    expect(rejection(month, '2025-05-20', '2025-05-19')).toMatch(/EndTime: must be on or after StartTime/);
  });

  it('rejects a minute window off the minute', () => {
    expect(rejection({ form: 'minute' }, '2025-05-20T10:00:30Z', '2025-05-20T11:00:00Z')).toMatch(/StartTime: must be a whole minute/);
  });

  it('reads seconds and milliseconds apart by size', () => {
    expect(parseInstant(1747735200)).toBe(1747735200000);
    expect(parseInstant(1747735200000)).toBe(1747735200000);
    expect(parseInstant(-5)).toBeUndefined();
  });

  it('takes a time past what a date holds as no time, and an answer carrying one is still shown whole', () => {
    expect(parseInstant(9_000_000_000_000_000)).toBeUndefined();
    expect(parseInstant('9000000000000000')).toBeUndefined();
    const userEvent = CATALOG.find((d) => d.name === 'DescribeUserEvent')!;
    const shown = userEvent.present!({ Data: [{ PeerId: 'carol', Content: [{ Time: 1e17, EventId: 5, ParamOne: 0, ParamTwo: 0 }] }] }, {}, {} as never);
    expect(shown.notes!.join('\n')).toMatch(/last event .* at an unknown time \(100000000000000000\)/);
  });
});

describe('answer budget', () => {
  it('leaves a small answer alone', () => {
    const small = { RoomList: [{ a: 1 }], Total: 1 };
    expect(fitToBudget(small)).toEqual({ value: small, cuts: [] });
  });

  it('cuts the longest lists first, keeps short ones whole, and says what it cut', () => {
    const big = {
      UsageKey: ['Audio', 'SD', 'HD'],
      UsageList: Array.from({ length: 2000 }, (_, i) => ({ TimeKey: `row ${i}`, UsageValue: [i, i, i] })),
    };
    const { value, cuts } = fitToBudget(big, 10_000);
    expect(jsonBytes(value)).toBeLessThanOrEqual(10_000);
    expect(value.UsageKey).toEqual(big.UsageKey);
    expect(value.UsageList[0]).toEqual(big.UsageList[0]);
    expect(cuts).toEqual([{ path: 'UsageList', kept: value.UsageList.length, total: 2000, count: 1, unit: 'items' }]);
    // As many rows as fit: one more would not.
    expect(jsonBytes({ ...big, UsageList: big.UsageList.slice(0, value.UsageList.length + 1) })).toBeGreaterThan(10_000);
  });

  it('cuts nested lists evenly and a long CSV at a line break', () => {
    const series = { Data: Array.from({ length: 4 }, (_, u) => ({ UserId: `u${u}`, Content: Array.from({ length: 500 }, (_, t) => ({ Time: t, Value: t })) })) };
    const fitted = fitToBudget(series, 8_000);
    expect(fitted.value.Data).toHaveLength(4);
    expect(fitted.cuts).toEqual([expect.objectContaining({ path: 'Data[].Content', count: 4, total: 500, unit: 'items' })]);
    const csv = { Data: ['RoomId,Audio', ...Array.from({ length: 3000 }, (_, i) => `room-${i},${i}`), ''].join('\n') };
    const cut = fitToBudget(csv, 5_000);
    expect(cut.value.Data.endsWith('\n')).toBe(true);
    expect(cut.value.Data.startsWith('RoomId,Audio\nroom-0,0\n')).toBe(true);
    expect(cut.cuts[0]).toMatchObject({ path: 'Data', unit: 'lines', total: 3001 });
  });

  it('cuts rows of records, never the values inside a row, when that is enough', () => {
    const table = { Columns: ['time', 'a', 'b', 'c', 'd'], Values: Array.from({ length: 400 }, (_, i) => ({ RowValue: [1700000000 + i, 1, 2, 3, 4] })) };
    const { value, cuts } = fitToBudget(table, jsonBytes(table) - 100);
    expect(value.Columns).toHaveLength(5);
    expect(value.Values.every((row) => row.RowValue.length === 5)).toBe(true);
    expect(cuts).toEqual([expect.objectContaining({ path: 'Values', total: 400 })]);
  });

  it('thins time series over their whole time, keeping the first and last points and every spike', () => {
    const flat = Array.from({ length: 900 }, (_, t) => ({ Time: 1700000000 + 2 * t, Value: t === 613 ? 40 : t === 200 ? 0 : 2 }));
    flat[200]!.Value = -5;
    const kept = thin(flat, 30);
    expect(kept).toHaveLength(30);
    expect(kept[0]).toBe(flat[0]);
    expect(kept.at(-1)).toBe(flat.at(-1));
    // Every point kept is one that was sent, in time order, and the spike and the dip are among them.
    expect(kept.every((p) => flat.includes(p))).toBe(true);
    expect(kept.map((p) => p.Time)).toEqual([...kept.map((p) => p.Time)].sort((a, b) => a - b));
    expect(kept.map((p) => p.Value)).toEqual(expect.arrayContaining([40, -5]));
    expect(thin(flat.slice(0, 10), 30)).toEqual(flat.slice(0, 10));
  });

  it('keeps the highest and the lowest point of every number, even beside a deeper dip than its peak is high', () => {
    // Around a mean of 30, a dip to 20 strays further than the peak of 34.8 in the same stretch: picking only the
    // furthest point of each stretch loses the peak a summary reports as the maximum.
    const values = Array.from({ length: 1763 }, (_, t) => 30 + ((t * 7919) % 13) / 10 - 0.6);
    values[1000] = 34.8;
    values[1001] = 20;
    values[1500] = 25;
    const series = values.map((Value, t) => ({ Time: 1700000000 + 2 * t, Value }));
    for (const n of [4, 10, 57, 200]) {
      const kept = thin(series, n);
      expect(kept.length, `n=${n}`).toBeLessThanOrEqual(n);
      expect(Math.max(...kept.map((p) => p.Value)), `n=${n}`).toBe(34.8);
      expect(Math.min(...kept.map((p) => p.Value)), `n=${n}`).toBe(20);
      expect(kept.map((p) => p.Time)).toEqual([...kept.map((p) => p.Time)].sort((a, b) => a - b));
    }
    // Room for one point besides the ends: the extreme that strays furthest.
    expect(thin(series, 3).map((p) => p.Value)).toContain(20);
    // Two numbers per point: each one's extremes.
    const pairs = series.map((p, t) => ({ Time: p.Time, Values: [p.Value, t === 77 ? 9 : 1] }));
    const kept = thin(pairs, 20);
    expect(kept.map((p) => p.Values[1])).toContain(9);
    expect(kept.map((p) => p.Values[0])).toEqual(expect.arrayContaining([34.8, 20]));
  });

  it('thins the series it is told of before anything else, and leaves the series out when too few points would fit', () => {
    const series = {
      Summary: [{ UserId: 'u0', Verdict: 'POOR' }],
      Data: Array.from({ length: 3 }, (_, u) => ({ UserId: `u${u}`, Content: Array.from({ length: 600 }, (_, t) => ({ Time: t, Value: t % 7 })) })),
    };
    const fitted = fitToBudget(series, 2_000, 'Data[].Content');
    expect(jsonBytes(fitted.value)).toBeLessThanOrEqual(2_000);
    expect(fitted.value.Data).toHaveLength(3);
    const kept = fitted.value.Data[0]!.Content.length;
    expect(kept).toBeGreaterThanOrEqual(4);
    expect(fitted.value.Data[0]!.Content.at(-1)).toEqual({ Time: 599, Value: 599 % 7 });
    expect(fitted.cuts).toEqual([{ path: 'Data[].Content', kept, total: 600, count: 3, unit: 'points' }]);
    expect(cutNote(fitted.cuts, 'Ask for less.', 'the budget')).toBe(
      `TRUNCATED to fit the budget: each of 3 Data[].Content series keeps ${kept} of up to 600 points, spread over its time with its peaks and dips. Ask for less. With RawSeries true, the points come as sent.`,
    );
    const none = fitToBudget(series, 200, 'Data[].Content');
    expect(none.value).toEqual({ Summary: series.Summary });
    expect(none.cuts).toEqual([{ path: 'Data', kept: 0, total: 600, count: 3, unit: 'points' }]);
    expect(cutNote(none.cuts)).toContain('the 3 Data series are left out (up to 600 points each)');
  });

  it('keeps notes within their budget line by line', () => {
    const notes = ['header', Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(50)}`).join('\n')];
    const capped = capNotes(notes, 1_000);
    expect(capped[0]).toBe('header');
    expect(capped.join('\n').length).toBeLessThan(1_100);
    expect(capped[capped.length - 1]).toMatch(/^\(\d+ more note lines left out to save space\)$/);
  });
});

describe('event meanings', () => {
  it.each([
    [7001, 2, -1, 'Left the room: removed (kicked out)'],
    [3001, 1, -1, 'Microphone muted'],
    [4003, 1280, 720, 'Video resolution changed to 1280x720'],
    [4013, 12, 1, 'Hardware decoding failed for 12 frames in 3 s'],
    [6001, 101, 3, 'Network QoS set to cloud control, smoothness first, for a voice chat room'],
    [32788, -1, -1, 'Joined the room'],
    [36864, -1, -1, 'Signalling connection lost (seen by the server)'],
  ])('decodes event %i (%i, %i)', (id, one, two, meaning) => {
    expect(eventMeaning(id, one, two)).toBe(meaning);
  });

  it('says nothing for IDs and parameters the tables do not know', () => {
    expect(eventMeaning(9999, -1, -1)).toBeUndefined();
    expect(eventMeaning(1003, 42, -1)).toBeUndefined();
  });
});

describe('paging', () => {
  const def = cloudAction({
    action: 'ListThings', toolset: 'quality', effect: 'read', rateLimit: 20, description: 'test',
    input: z.object({ PageNumber: z.int().optional(), PageSize: z.int().optional() }), output: z.object({}),
    paging: { pageField: 'PageNumber', sizeField: 'PageSize', defaultSize: 10, maxSize: 100, rows: ['Rows'], total: 'Total' },
    narrow: 'Ask for less.',
  });
  /** A fake API with `count` rows of `width` characters that reports `total` (default: the true count). */
  const api = (count: number, width = 10, total: (n: number) => number | undefined = () => count) => {
    const sent: Array<Record<string, unknown>> = [];
    const send = async (wire: Record<string, unknown>) => {
      sent.push(wire);
      const size = (wire.PageSize as number) ?? 10;
      const page = (wire.PageNumber as number) ?? 0;
      const Rows = Array.from({ length: count }, (_, i) => ({ Id: i, Text: 'x'.repeat(width) })).slice(page * size, page * size + size);
      return { response: { Total: total(Rows.length), Rows, RequestId: 'r' }, attempts: 1 };
    };
    return { sent, send };
  };
  const answer = async (a: ReturnType<typeof api>, wire: Record<string, unknown>, progress?: (n: number, t?: number) => void) => {
    const got = await fetchAnswer(def, wire, a.send, progress);
    return shapeAnswer(def, got.response, [], got.pages, { expanded: wire.AllPages === true });
  };

  it('says "yes" with the next page when the total shows more, and "no" on the last page', async () => {
    const a = api(25);
    expect((await answer(a, {})).structured.Paging).toEqual({ More: 'yes', Next: { PageNumber: 1, PageSize: 10 } });
    expect((await answer(a, { PageNumber: 2 })).structured.Paging).toEqual({ More: 'no' });
    expect(a.sent).toEqual([{}, { PageNumber: 2 }]);
  });

  it('says "possibly" when a full page comes with a count that proves nothing, and never drops the question', async () => {
    const a = api(20, 10, (n) => n);
    const first = await answer(a, {});
    expect(first.structured.Paging).toEqual({ More: 'possibly', Next: { PageNumber: 1, PageSize: 10 } });
    expect(first.notes.join('\n')).toContain('This page is full, so more rows may exist: call again with PageNumber 1 and PageSize 10');
    // Fetching all pages follows "possibly" until a short page, and never sends the agent-only argument.
    const all = await answer(a, { AllPages: true, PageSize: 10 });
    expect(all.structured.Rows).toHaveLength(20);
    expect(all.structured.Paging).toEqual({ More: 'no' });
    expect(a.sent.slice(1)).toEqual([0, 1, 2].map((n) => ({ PageNumber: n, PageSize: 10 })));
  });

  it('fetches all pages at the largest size, reporting progress before each further page', async () => {
    const a = api(250);
    const progress: Array<[number, number | undefined]> = [];
    const all = await answer(a, { AllPages: true }, (n, t) => progress.push([n, t]));
    expect(all.structured.Rows).toHaveLength(250);
    expect(a.sent.map((w) => w.PageSize)).toEqual([100, 100, 100]);
    expect(progress).toEqual([[1, 3], [2, 3]]);
  });

  it('after cutting rows to the budget of a default answer, points exactly at the first row not shown', async () => {
    const a = api(300, 200);
    const cut = await answer(a, { PageNumber: 1, PageSize: 100 });
    const shown = (cut.structured.Rows as Array<{ Id: number }>);
    expect(shown[0]!.Id).toBe(100);
    expect(shown.length).toBeLessThan(100);
    const next = (cut.structured.Paging as { More: string; Next: { PageNumber: number; PageSize: number } });
    expect(next.More).toBe('yes');
    // The next page starts right after the last row shown, whatever size that takes.
    expect(next.Next.PageNumber * next.Next.PageSize).toBe(100 + shown.length);
    expect(cut.notes.join('\n')).toMatch(/TRUNCATED to fit 4,000 characters: Rows keeps the first \d+ of 100 items\. Ask for less\./);
    const text = [JSON.stringify(cut.structured), ...cut.notes].join('\n');
    expect(text.length).toBeLessThanOrEqual(ANSWER_BUDGET_CHARS);
  });

  it('carries whole what a definition says is of no use in part, and fits the rest', () => {
    const speech = cloudAction({
      action: 'Speak', toolset: 'speech', effect: 'read', rateLimit: 20, description: 'test',
      input: z.object({}), output: z.object({}), whole: ['Audio'],
    });
    const audio = 'A'.repeat(20_000);
    const shaped = shapeAnswer(speech, { Audio: audio, Alignments: Array.from({ length: 500 }, (_, i) => ({ Text: `word ${i}`, BeginTime: i })), RequestId: 'r' }, []);
    expect(shaped.structured.Audio).toBe(audio);
    expect(Object.keys(shaped.structured)).toEqual(['Audio', 'Alignments', 'RequestId']);
    expect((shaped.structured.Alignments as unknown[]).length).toBeLessThan(500);
    expect(JSON.stringify({ ...shaped.structured, Audio: '' }).length).toBeLessThanOrEqual(ANSWER_BUDGET_CHARS);
  });

  it('drops nulls, which TRTC sends for "no value"', () => {
    expect(shapeAnswer(def, { Rows: null, Total: 0, Nested: { A: null, B: 1 } }, []).structured).toEqual({ Total: 0, Nested: { B: 1 } });
  });
});
