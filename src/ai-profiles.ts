// Named LLM and TTS configurations set by the operator, so that agents start AI conversations with
// {"profile": "<name>"} and the third-party keys in them never enter the conversation.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AiProfiles } from '../tools/define.js';
import { LLMProfile, TTSProfile } from '../tools/datatypes/ai.js';
import { ConfigError, type Config } from './config.js';
import { addSecret } from './redact.js';
import { describeIssues } from './validation.js';

const ProfileFile = z.object({
  llm: z.record(z.string().min(1), LLMProfile).optional(),
  tts: z.record(z.string().min(1), TTSProfile).optional(),
});

/**
 * Members whose values are not secret. Every other value of a profile (whatever its member is called: APIKey,
 * Credential, X-Goog-Credential...) is registered with the redactor, so it is masked wherever it would appear.
 */
const NOT_SECRET = new Set(['LLMType', 'Model', 'Streaming', 'TTSType', 'AppId', 'VoiceType', 'Speed', 'Volume', 'PrimaryLanguage']);

export function loadAiProfiles(config: Pick<Config, 'aiProfiles' | 'llmConfig' | 'ttsConfig'>): AiProfiles {
  const file = config.aiProfiles ? parse('--ai-profiles', readProfileFile(config.aiProfiles), ProfileFile) : {};
  const profiles = { llm: { ...file.llm }, tts: { ...file.tts } };
  if (config.llmConfig) profiles.llm.default = parse('TRTC_LLM_CONFIG', parseJson('TRTC_LLM_CONFIG', config.llmConfig), LLMProfile);
  if (config.ttsConfig) profiles.tts.default = parse('TRTC_TTS_CONFIG', parseJson('TRTC_TTS_CONFIG', config.ttsConfig), TTSProfile);
  for (const profile of [...Object.values(profiles.llm), ...Object.values(profiles.tts)]) registerSecrets(profile);
  return profiles;
}

function readProfileFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`Invalid setting --ai-profiles: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  const value = parseJson('--ai-profiles', text);
  const unknown = value && typeof value === 'object' ? Object.keys(value).filter((k) => k !== 'llm' && k !== 'tts') : [];
  if (unknown.length) throw new ConfigError(`Invalid setting --ai-profiles: unknown section ${unknown.join(', ')} (the sections are llm and tts).`);
  return value;
}

/** The values are secret, so errors name the setting and the rule, never the text. */
function parseJson(setting: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(`Invalid setting ${setting}: not valid JSON.`);
  }
}

function parse<T>(setting: string, value: unknown, schema: z.ZodType<T>): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ConfigError(`Invalid setting ${setting}: ${describeIssues(result.error.issues, value).join('; ')}.`);
  return result.data;
}

/** Members named as keys are masked whatever their length; other values only from this length (a key is never shorter). */
const NAMED_SECRET = /key|secret|token|credential|password|sig/i;
const LEAST_UNNAMED = 6;

function registerSecrets(value: unknown, named = false): void {
  if (typeof value === 'string' || typeof value === 'number') {
    if (named || String(value).length >= LEAST_UNNAMED) addSecret(String(value));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (!NOT_SECRET.has(k)) registerSecrets(v, named || NAMED_SECRET.test(k));
  }
}
