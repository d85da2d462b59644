// Speech synthesis, voice cloning and voiceprint behaviour. Voices are the documented ones plus those the app cloned;
// synthesis returns a short valid clip (see audio.ts). An asynchronous synthesis is Processing for a second per 500
// characters, then Success, and Expired after a day. Voiceprints belong to the account.
import { createHash } from 'node:crypto';
import { looksLikeAudio, synthesize, wavInfo } from '../audio.js';
import type { Thing } from '../registry.js';
import { SandboxError, STREAM, type Handler, type HandlerContext } from './types.js';

/** The voices the docs list, per language. */
const LISTED_VOICES = new Set([
  'v-female-C5t1QxH9', 'v-female-C8k4NxL6', 'v-female-J3k7NxR2', 'v-female-P6q9LmR2', 'v-female-R2s4N9qJ', 'v-female-W5n8HgB2',
  'v-male-B5f2CnS3', 'v-male-D7p4XcL2', 'v-male-J3n8DxK2', 'v-male-Q6p8ZxL3', 'v-male-X6h4TvP9', 'v-male-s5NqE0rZ',
]);
/** The international site documents a shorter text than the China site. */
const INTL_TEXT_CHARS = 255;
const ASYNC_MS_PER_500_CHARS = 1000;
const ASYNC_KEPT_MS = 24 * 3_600_000;
const REQ_TIMESTAMP_SKEW_MS = 10 * 60_000;

function checkVoice(ctx: HandlerContext, voiceId: string): void {
  const cloned = ctx.world.things.list(ctx.app.sdkAppId, 'voice').some((v) => v.id === voiceId);
  if (!LISTED_VOICES.has(voiceId) && !cloned) throw new SandboxError('InvalidParameter', `Voice.VoiceId ${voiceId} is neither a listed voice nor one cloned in app ${ctx.app.sdkAppId}.`);
}

function checkText(ctx: HandlerContext): void {
  if (ctx.site !== 'cn' && [...ctx.params.Text].length > INTL_TEXT_CHARS) {
    throw new SandboxError('InvalidParameter', `Text must be at most ${INTL_TEXT_CHARS} characters on the international site.`);
  }
}

/** The clip for a synthesis request, and its subtitle when AlignmentMode asks for one. */
function speak(ctx: HandlerContext) {
  checkText(ctx);
  checkVoice(ctx, ctx.params.Voice.VoiceId);
  const { Text, AudioFormat: f, AlignmentMode } = ctx.params;
  const { audio, ms } = synthesize(Text, f?.Format, f?.SampleRate);
  const Alignments = AlignmentMode ? [{ Text, TimeBeginMs: 0, TimeEndMs: ms, TextBegin: 0, TextEnd: [...Text].length }] : undefined;
  return { audio, ms, Alignments };
}

function asyncTask(ctx: HandlerContext): Thing {
  const thing = ctx.world.things.get(ctx.app.sdkAppId, 'ttsTask', ctx.params.TaskId);
  if (!thing) throw new SandboxError('ResourceNotFound', `Task ${ctx.params.TaskId} does not exist.`);
  return thing;
}

function voicePrint(ctx: HandlerContext): Thing {
  const thing = ctx.world.things.get(ctx.app.sdkAppId, 'voicePrint', ctx.params.VoicePrintId);
  if (!thing) throw new SandboxError('ResourceNotFound', `Voiceprint ${ctx.params.VoicePrintId} does not exist.`);
  return thing;
}

/** A voiceprint sample must be a wav of 16 kHz, 16-bit mono, 8-18 s and at most 2 MB, sent moments ago. */
function checkSample(ctx: HandlerContext): void {
  const { Audio, ReqTimestamp } = ctx.params;
  if (Math.abs(ReqTimestamp - ctx.world.now()) > REQ_TIMESTAMP_SKEW_MS) throw new SandboxError('InvalidParameter', 'ReqTimestamp is more than 10 minutes from the current time.');
  if (Audio === undefined) return;
  const bytes = Buffer.from(Audio, 'base64');
  const info = wavInfo(bytes);
  if (!info || bytes.length > 2 * 1024 * 1024 || info.rate !== 16000 || info.channels !== 1 || info.bits !== 16 || info.seconds < 8 || info.seconds > 18) {
    throw new SandboxError('InvalidParameter', 'Audio must be a base64 wav of 16 kHz, 16-bit mono, 8-18 seconds long and at most 2 MB.');
  }
}

const printOf = (t: Thing) => ({ VoicePrintId: t.id, AppId: t.sdkAppId, CreateTime: new Date(t.createdAt).toISOString(), ...t.data });

export const speechHandlers: Record<string, Handler> = {
  TextToSpeech(ctx) {
    const { audio, ms, Alignments } = speak(ctx);
    return { Audio: audio.toString('base64'), ...(Alignments && { Alignments }), TotalDurationMs: ms };
  },

  // Streamed as three chunks; the subtitle comes with the last.
  TextToSpeechSSE(ctx) {
    const { audio, Alignments } = speak(ctx);
    const third = Math.ceil(audio.length / 3 / 2) * 2;
    const parts = [0, 1, 2].map((i) => audio.subarray(i * third, (i + 1) * third));
    return {
      [STREAM]: parts.map((p, i) => ({ Type: 'chunk', ChunkId: `chunk_${i}`, Audio: p.toString('base64'), Seq: i, IsEnd: i === 2, ...(i === 2 && Alignments && { Alignments }) })),
    };
  },

  AsyncTextToSpeech(ctx) {
    checkVoice(ctx, ctx.params.Voice.VoiceId);
    const { Text, AudioFormat, AlignmentMode } = ctx.params;
    const thing = ctx.world.things.add(ctx.app.sdkAppId, 'ttsTask', { chars: [...Text].length, format: AudioFormat?.Format ?? 'mp3', subtitles: AlignmentMode === 1, ms: synthesize(Text, 'pcm').ms }, ctx.world.now());
    return { TaskId: thing.id };
  },

  DescribeAsyncTextToSpeech(ctx) {
    const t = asyncTask(ctx);
    const age = ctx.world.now() - t.createdAt;
    if (age < Math.ceil(t.data.chars / 500) * ASYNC_MS_PER_500_CHARS) return { Status: 'Processing' };
    if (age > ASYNC_KEPT_MS) return { Status: 'Expired' };
    const base = `https://trtc-tts-${t.sdkAppId}.cos.ap-guangzhou.myqcloud.com/async/${t.id}`;
    return { Status: 'Success', AudioDownloadUrl: `${base}.${t.data.format}`, ...(t.data.subtitles && { SubtitleDownloadUrl: `${base}.srt` }), TotalDurationMs: t.data.ms };
  },

  VoiceClone(ctx) {
    const { VoiceName, PromptAudio } = ctx.params;
    if (!looksLikeAudio(Buffer.from(PromptAudio, 'base64'))) throw new SandboxError('InvalidParameter', 'PromptAudio must be base64 wav, mp3 or m4a audio.');
    const id = `v-clone-${createHash('sha256').update(`${ctx.app.sdkAppId}/${VoiceName}`).digest('hex').slice(0, 12)}`;
    if (ctx.world.things.get(ctx.app.sdkAppId, 'voice', id)) throw new SandboxError('InvalidParameter', `VoiceName ${VoiceName} is already used in app ${ctx.app.sdkAppId}.`);
    ctx.world.things.add(ctx.app.sdkAppId, 'voice', { VoiceName }, ctx.world.now(), id);
    return { VoiceId: id };
  },

  RegisterVoicePrint(ctx) {
    checkSample(ctx);
    const { AudioFormat, AudioName, AudioMetaInfo, ReqTimestamp } = ctx.params;
    const now = new Date(ctx.world.now()).toISOString();
    const thing = ctx.world.things.add(ctx.app.sdkAppId, 'voicePrint', { AudioFormat, AudioName, VoicePrintMetaInfo: AudioMetaInfo ?? '', ReqTimestamp, UpdateTime: now }, ctx.world.now());
    return { VoicePrintId: thing.id };
  },

  DescribeVoicePrint(ctx) {
    const { DescribeMode, VoicePrintIdList, PageIndex = 1, PageSize = 20 } = ctx.params;
    const all = ctx.world.things.list(ctx.app.sdkAppId, 'voicePrint');
    if (DescribeMode === 0) {
      if (!VoicePrintIdList?.length) throw new SandboxError('MissingParameter', 'VoicePrintIdList is required when DescribeMode is 0.');
      const found = all.filter((t) => VoicePrintIdList.includes(t.id));
      return { TotalCount: found.length, Data: found.map(printOf) };
    }
    return { TotalCount: all.length, Data: all.slice((PageIndex - 1) * PageSize, PageIndex * PageSize).map(printOf) };
  },

  UpdateVoicePrint(ctx) {
    const t = voicePrint(ctx);
    checkSample(ctx);
    const { AudioMetaInfo, AudioFormat, ReqTimestamp } = ctx.params;
    t.data = { ...t.data, ...(AudioMetaInfo !== undefined && { VoicePrintMetaInfo: AudioMetaInfo }), ...(AudioFormat !== undefined && { AudioFormat }), ReqTimestamp, UpdateTime: new Date(ctx.world.now()).toISOString() };
    return {};
  },

  DeleteVoicePrint(ctx) {
    ctx.world.things.delete(voicePrint(ctx));
    return {};
  },
};
