// Operator profiles for LLMConfig and TTSConfig: read from a file and the environment, checked at start-up
// without ever echoing a value, and their keys registered with the redactor.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAiProfiles } from '../src/ai-profiles.js';
import { ConfigError } from '../src/config.js';
import { redactText } from '../src/redact.js';
import { CLI, cleanEnv } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'trtc-mcp-ai-profiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

describe('loadAiProfiles', () => {
  it('reads named profiles from the file, and the profile "default" from the environment', () => {
    const path = file('ok.json', { llm: { default: { Model: 'from-file' }, fast: { Model: 'gpt-4o-mini', APIKey: 'sk-file-fast-123' } }, tts: { warm: { TTSType: 'tencent', SecretKey: 'tts-file-key-123' } } });
    const profiles = loadAiProfiles({ aiProfiles: path, llmConfig: '{"LLMType":"openai","APIKey":"sk-env-default-123"}', ttsConfig: undefined });
    expect(profiles.llm).toEqual({ default: { LLMType: 'openai', APIKey: 'sk-env-default-123' }, fast: { Model: 'gpt-4o-mini', APIKey: 'sk-file-fast-123' } });
    expect(Object.keys(profiles.tts)).toEqual(['warm']);
  });

  it('registers every value with the redactor, whatever its member is called, except the non-secret members', () => {
    loadAiProfiles({
      aiProfiles: undefined,
      llmConfig: '{"LLMType":"openai-type","Model":"model-name-xyz","APIKey":"sk-registered-456","Credential":"cred-registered-1","X-Goog-Credential":"goog-registered-2","Extra":{"AuthToken":"tok-nested-789"}}',
      ttsConfig: '{"TTSType":"tencent","AppId":1300000009,"VoiceType":101001,"SecretId":"AKID-registered","SecretKey":"tts-registered-456","Speed":1.25}',
    });
    expect(redactText('sk-registered-456 tok-nested-789 AKID-registered tts-registered-456 cred-registered-1 goog-registered-2'))
      .toBe('[redacted] [redacted] [redacted] [redacted] [redacted] [redacted]');
    expect(redactText('model-name-xyz openai-type 1300000009 101001')).toBe('model-name-xyz openai-type 1300000009 101001');
  });

  it.each([
    [{ llmConfig: '{"APIKey": "sk-never-shown", ' }, 'Invalid setting TRTC_LLM_CONFIG: not valid JSON.'],
    [{ ttsConfig: '{"SecretKey":"never-shown-key","Speed":"fast"}' }, 'Invalid setting TRTC_TTS_CONFIG: Speed: must be a number.'],
    [{ aiProfiles: join(dir, 'missing.json') }, 'cannot read'],
    [{ aiProfiles: file('sections.json', { llm: {}, stt: {} }) }, 'Invalid setting --ai-profiles: unknown section stt (the sections are llm and tts).'],
    [{ aiProfiles: file('member.json', { llm: { default: { APIKey: 'sk-never-shown', Streaming: 'yes' } } }) }, 'Invalid setting --ai-profiles: llm.default.Streaming: must be a boolean.'],
  ])('refuses %j, naming the setting and the rule but no value', (settings, message) => {
    const load = () => loadAiProfiles({ aiProfiles: undefined, llmConfig: undefined, ttsConfig: undefined, ...settings });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
    try {
      load();
    } catch (err) {
      expect((err as Error).message).not.toMatch(/never-shown/);
    }
  });
});

describe('the server with a bad profile', () => {
  it('does not start, and says which setting is wrong without showing it', async () => {
    const run = promisify(execFile);
    const err = (await run(process.execPath, [CLI, '--sandbox'], { env: cleanEnv({ TRTC_LLM_CONFIG: '{"APIKey":"sk-startup-secret","Streaming":1}' }) }).catch((e) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('Invalid setting TRTC_LLM_CONFIG: Streaming: must be a boolean.');
    expect(err.stderr).not.toContain('sk-startup-secret');
  });
});
