import { it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { FileStore } from '../../src/store/file.js';
it('x', async () => {
  const store = new FileStore(mkdtempSync('/tmp/ev16/fs-'));
  let t = performance.now();
  let i = 0;
  const worker = async () => { while (i < 10000) { const n = i++; await store.append('events:1', { app: 1, body: { EventGroupId: 1, EventType: 103, EventInfo: { RoomId: 1, UserId: 'u' + n, EventMsTs: n } } }, { maxEntries: 10000, maxAgeMs: 86400000, dedupeKey: 'k' + n }); } };
  await Promise.all(Array.from({ length: 16 }, worker));
  console.log('store only, 16 concurrent:', (performance.now() - t).toFixed(0), 'ms');
}, 120000);
