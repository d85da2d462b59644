// The pipeline's promise to the agent and to the audit trail, whatever goes wrong inside a call: a result, never
// a protocol error, and an audit record for every attempted write.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { cloudAction } from '../tools/define.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { AuditLog } from '../src/guardrails/audit.js';
import { ConfirmationTokens } from '../src/guardrails/consent.js';
import { runTool, type ServerContext } from '../src/server/pipeline.js';
import { MemoryStore } from '../src/store/memory.js';

describe('an unexpected failure inside a call', () => {
  it('becomes an error result, and a write attempt still gets its audit record', async () => {
    const auditPath = join(mkdtempSync(join(tmpdir(), 'trtc-pipeline-')), 'audit.jsonl');
    const store = new MemoryStore();
    const ctx: ServerContext = {
      config: loadConfig(['--dangerously-skip-consent'], { TRTC_SDK_APP_ID: '1400000001' }),
      log: silentLogger,
      callers: {},
      wireEnv: (sdkAppId) => ({ sdkAppId, now: Date.now }),
      tokens: new ConfirmationTokens(Buffer.alloc(32), 300, store),
      requestStateKey: Buffer.alloc(32),
      audit: new AuditLog(auditPath, 'replica-7'),
      store,
    };
    // A definition whose hook fails in a way no check foresaw.
    const broken = cloudAction({
      action: 'BrokenAction', toolset: 'room', effect: 'write', rateLimit: 20, description: 'x',
      input: z.object({ RoomId: z.int() }), output: z.object({}),
      toWire: () => {
        throw new TypeError('something nobody foresaw');
      },
    });
    const result = await runTool(ctx, broken, { RoomId: 5 });
    expect(result).toMatchObject({ isError: true, content: [{ type: 'text', text: 'BrokenAction failed unexpectedly: something nobody foresaw' }] });
    const [record] = readFileSync(auditPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(record).toMatchObject({ type: 'audit', tool: 'BrokenAction', outcome: 'internal', args: { RoomId: 5 }, replica: 'replica-7' });
  });
});
