// search_tools' ranking against requests as operators phrase them: the first query should find the tool.
import { describe, expect, it } from 'vitest';
import { DISCOVERY_TOOLSET } from '../src/server/discovery.js';
import { computeManifest } from '../src/server/manifest.js';
import { asksForRead, searchTools } from '../src/server/search.js';
import { INTENTS, UNMATCHED } from './fixtures/intents.js';

// What discovery searches: every tool but the discovery tools themselves, on both sites.
const tools = computeManifest().filter((t) => t.toolset !== DISCOVERY_TOOLSET);

describe('search ranking', () => {
  it(`finds the right tool in the top three for at least 90% of ${INTENTS.length} operator requests`, async () => {
    expect(INTENTS.length).toBeGreaterThanOrEqual(80);
    let top1 = 0;
    let top3 = 0;
    const misses: string[] = [];
    for (const { query, expect: wanted } of INTENTS) {
      const { hits, confident } = await searchTools(query, tools, 3);
      const names = hits.map((h) => h.tool.name);
      if (wanted.includes(names[0]!)) top1++;
      if (confident && names.some((n) => wanted.includes(n))) top3++;
      else misses.push(`"${query}": got ${names.join(', ') || 'nothing'}${confident ? '' : ' (not confident)'}; wanted ${wanted.join(' or ')}`);
    }
    const pct = (n: number) => `${((100 * n) / INTENTS.length).toFixed(1)}%`;
    console.log(`search_tools intent hit rate over ${INTENTS.length} requests: top-1 ${pct(top1)} (${top1}), top-3 ${pct(top3)} (${top3})`);
    if (misses.length) console.log(`misses:\n${misses.join('\n')}`);
    expect(top3 / INTENTS.length).toBeGreaterThanOrEqual(0.9);
  });

  it.each(UNMATCHED)('says nothing matches "%s" well', async (query) => {
    const { confident } = await searchTools(query, tools);
    expect(confident).toBe(false);
  });

  it('ranks reads above writes when the request asks a question', async () => {
    expect(asksForRead('who is in the room right now')).toBe(true);
    expect(asksForRead('is the recording still running?')).toBe(true);
    expect(asksForRead('how do I stop the recording')).toBe(false);
    expect(asksForRead('kick bob')).toBe(false);
    const { hits } = await searchTools('who is in a room', tools, 5);
    expect(hits[0]!.tool.annotations.readOnlyHint).toBe(true);
    expect(hits.slice(0, 3).map((h) => h.tool.name)).toContain('DescribeUserInfo');
  });
});
