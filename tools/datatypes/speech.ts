// Data types of speech synthesis and voice cloning (the China-site models, which the international docs follow for
// the actions they document): Voice, AudioFormat, PronunciationDict and the subtitle alignments of an answer.
import { z } from 'zod';

export const Voice = z.strictObject({
  VoiceId: z.string().min(1).describe('Listed, or from VoiceClone'),
  Speed: z.number().min(0.5).max(2).optional().describe('Default 1'),
  Volume: z.number().gt(0).max(10).optional().describe('Default 1'),
  Pitch: z.number().min(-12).max(12).optional(),
  Emotion: z.enum(['happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised', 'calm', 'fluent', 'whisper']).optional(),
});

export const AudioFormat = z.strictObject({
  Format: z.enum(['pcm', 'wav', 'mp3', 'opus']).optional().describe('Default pcm (async: mp3)'),
  SampleRate: z.literal([16000, 24000]).optional().describe('Default 24000'),
  Bitrate: z.literal([64, 128, 192, 256]).optional().describe('mp3 kbps'),
});

export const PronunciationDict = z.array(
  z.strictObject({
    Word: z.string().min(1),
    Pronunciation: z.string().min(1).describe('Pinyin+tone digits, IPA or text, bracketed'),
  }),
);

const WordItem = z.object({ Word: z.string(), TimeBeginMs: z.int(), TimeEndMs: z.int(), WordBegin: z.int(), WordEnd: z.int() }).partial();
export const Alignments = z.array(
  z.object({ Text: z.string(), TimeBeginMs: z.int(), TimeEndMs: z.int(), TextBegin: z.int(), TextEnd: z.int(), Words: z.array(WordItem) }).partial(),
);

export const Model = z.string().min(1).describe('flow_02_turbo or flow_01_ex');
export const Language = z.string().min(1).describe('ISO 639-1; default detected');
