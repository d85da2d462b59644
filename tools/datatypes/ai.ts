// Data types of AI conversation and transcription (seed 004, "Data Types"): AgentConfig, STTConfig,
// TranscriptionParams, RecognizeConfig, ServerPushText; and the LLMConfig and TTSConfig that travel as JSON strings.
import { z } from 'zod';
import { ArgumentError, type WireEnv } from '../define.js';
import { nestedArgumentError, UserSig, withBotSig } from '../tasks.js';
import { own } from '../own.js';

const BotUserId = z.string().min(1).describe('Bot; reusing it ends its earlier task');
const MaxIdleTime = z.int().min(1).optional().describe('Idle seconds before it stops; default 60');

/**
 * A bot is a user of its own in the room: the docs forbid its UserId to be one of the room's users, and a bot that
 * listens to itself hears nobody. Checked on the agent's arguments; TRTC (and the sandbox) refuse the ID of a user
 * who is in the room when the task starts.
 */
const botIsNotTarget = (v: { UserId?: string; TargetUserId?: string }, ctx: z.RefinementCtx) => {
  if (v.UserId !== undefined && v.UserId === v.TargetUserId) {
    ctx.addIssue({ code: 'custom', path: ['UserId'], message: 'must differ from TargetUserId: the bot joins the room as a user of its own; give it an ID nobody in the room uses, such as "ai_bot"' });
  }
};

const agentConfig = withBotSig({
  UserId: BotUserId,
  UserSig,
  TargetUserId: z.string().min(1).describe('User the bot listens and talks to'),
  MaxIdleTime,
  WelcomeMessage: z.string().optional(),
  InterruptMode: z.literal([0, 1]).optional().describe('0 server interrupts on speech (default), 1 only the client interrupts'),
  InterruptSpeechDuration: z.int().min(0).optional().describe('ms of speech that interrupts (mode 0); default 500'),
});
export const AgentConfig = { wire: agentConfig.wire, agent: agentConfig.agent.superRefine(botIsNotTarget) };

/** Recognition languages: zh, zh-TW, zh-dialect, en, vi, ja, ko, id, th, pt, tr, ar, es, hi, fr, ms, fil, de, it, ru. */
const Language = z.string().min(1).describe('e.g. zh (default), en, ja, zh-dialect');
const AlternativeLanguage = z.array(z.string()).max(3).optional().describe('Fallbacks; not with zh-dialect');

export const STTConfig = z.strictObject({
  Language: Language.optional(),
  AlternativeLanguage,
  VadSilenceTime: z.int().min(240).max(2000).optional().describe('ms of silence that ends a sentence; default 1000'),
});

export const RecognizeConfig = z.strictObject({ Language: Language.optional(), AlternativeLanguage });

const transcriptionParams = withBotSig(
  {
    UserId: BotUserId,
    UserSig,
    MaxIdleTime,
    TranscriptionMode: z.literal([0, 1]).optional().describe('0 whole room (default), 1 only TargetUserId'),
    TargetUserId: z.string().min(1).optional(),
  },
  (v, ctx) => {
    if (v.TranscriptionMode === 1 && !v.TargetUserId) ctx.addIssue({ code: 'custom', path: ['TargetUserId'], message: 'is required when TranscriptionMode is 1' });
  },
);
export const TranscriptionParams = { wire: transcriptionParams.wire, agent: transcriptionParams.agent.superRefine(botIsNotTarget) };

export const ServerPushText = z.strictObject({
  Text: z.string().optional(),
  Interrupt: z.boolean().optional().describe('May interrupt the bot'),
  StopAfterPlay: z.boolean().optional().describe('Then end the task'),
});

// LLMConfig and TTSConfig. The seed documents these members; providers accept more, which pass through.
const llmShape = {
  LLMType: z.string().min(1).describe('e.g. openai'),
  Model: z.string().min(1),
  APIKey: z.string().min(1),
  APIUrl: z.string().regex(/^https?:\/\//, 'must be an http(s) URL').describe('OpenAI-compatible chat completions URL'),
  Streaming: z.boolean().optional(),
};
const ttsShape = {
  TTSType: z.string().min(1).describe('e.g. tencent'),
  AppId: z.int().optional(),
  SecretId: z.string().min(1).optional(),
  SecretKey: z.string().min(1).optional(),
  VoiceType: z.int().optional(),
  Speed: z.number().optional(),
  Volume: z.int().optional(),
  PrimaryLanguage: z.string().optional(),
};
const TENCENT_TTS_REQUIRES = ['AppId', 'SecretId', 'SecretKey', 'VoiceType'] as const;

/** A complete configuration, as serialised onto the wire. */
export const LLMConfig = z.object(llmShape).catchall(z.unknown());
export const TTSConfig = z
  .object(ttsShape)
  .catchall(z.unknown())
  .superRefine((v, ctx) => {
    if (v.TTSType !== 'tencent') return;
    for (const k of TENCENT_TTS_REQUIRES) {
      if (v[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'is required when TTSType is "tencent"' });
    }
  });

/** What an operator's profile may hold: any part of a configuration, completed by the agent's arguments. */
export const LLMProfile = z.object(llmShape).partial().catchall(z.unknown());
export const TTSProfile = z.object(ttsShape).partial().catchall(z.unknown());

const profile = z.string().min(1).describe('Operator profile holding the keys');
/** Agent-facing: a profile reference, inline members, or a profile with some members overridden. */
export const LLMConfigArg = z.object({ profile: profile.optional(), ...LLMProfile.shape }).catchall(z.unknown());
export const TTSConfigArg = z.object({ profile: profile.optional(), ...TTSProfile.shape }).catchall(z.unknown());

/** A member name without case, spaces or punctuation, to spot look-alikes. */
const squash = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Members that decide where a profile's keys are sent: with a profile, only the operator sets them. */
const PINNED = /(url|endpoint|host)$|^(LLMType|TTSType)$/i;

/**
 * The JSON string the wire wants for LLMConfig or TTSConfig: the named profile (if any) completed by the
 * agent's members, checked against the documented members before it is serialised.
 */
export function configToWire(kind: 'llm' | 'tts', field: string, arg: Record<string, unknown> | undefined, env: WireEnv): string | undefined {
  if (arg === undefined) return undefined;
  const { profile, ...given } = arg;
  let base: Readonly<Record<string, unknown>> = {};
  if (profile !== undefined) {
    const profiles = env.profiles?.[kind] ?? {};
    const found = own(profiles, profile as string);
    if (!found) {
      const names = Object.keys(profiles).join(', ') || 'none';
      const shown = JSON.stringify(String(profile).length > 64 ? `${String(profile).slice(0, 64)}…` : profile);
      throw new ArgumentError(`${field}.profile`, `no ${kind.toUpperCase()} profile named ${shown} is configured (configured: ${names})`);
    }
    // Only members named exactly as documented (or as in the profile) may be set: a look-alike such as "APIUrl "
    // could reach the provider as the member it imitates.
    const settable = new Set([...Object.keys(kind === 'llm' ? llmShape : ttsShape), ...Object.keys(found)]);
    for (const k of Object.keys(given)) {
      if (!settable.has(k)) {
        const like = [...settable].find((m) => squash(m) === squash(k));
        throw new ArgumentError(/^\w+$/.test(k) ? `${field}.${k}` : `${field}[${JSON.stringify(k)}]`, like
          ? `looks like ${like} but is not it: with a profile, member names must match exactly`
          : `is not a member that can be set with a profile (members: ${[...settable].filter((m) => !PINNED.test(m)).join(', ')})`);
      }
      if (PINNED.test(k) && given[k] !== found[k]) throw new ArgumentError(`${field}.${k}`, 'cannot be changed when a profile is used: the profile decides where its keys are sent');
      // A structure of the profile may hold its own addresses: it is the operator's, whole.
      if (found[k] !== null && typeof found[k] === 'object') throw new ArgumentError(`${field}.${k}`, 'cannot be replaced when a profile is used: it is set by the operator');
    }
    base = found;
  }
  const merged = { ...base, ...given };
  const parsed = (kind === 'llm' ? LLMConfig : TTSConfig).safeParse(merged);
  if (!parsed.success) throw nestedArgumentError(field, parsed.error.issues, merged);
  return JSON.stringify(parsed.data);
}
