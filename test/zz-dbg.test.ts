import { it } from 'vitest';
import { DISCOVERY_TOOLSET } from '../src/server/discovery.js';
import { computeManifest } from '../src/server/manifest.js';
import { searchTools, words } from '../src/server/search.js';
const tools = computeManifest().filter((t) => t.toolset !== DISCOVERY_TOOLSET);
it('dbg', async () => {
  for (const q of (process.env.Q ?? '').split('|')) {
    const r = await searchTools(q, tools, 5);
    console.log(q, words(q).join(' '), r.confident, r.hits.map((h) => `${h.tool.name} ${h.score.toFixed(1)}`).join(', '));
  }
});
