// Small, valid audio for the sandbox's speech synthesis, and the checks its voice and moderation actions make on
// audio they are given. Synthesised audio is a quiet tone, short enough to travel in an answer, and wav and opus
// files carry their text in a comment, so that the sandbox's moderation can "hear" them.

/** A synthesised clip's length: long enough to be a real clip, short enough for an answer. */
export const clipMs = (text: string) => Math.min(150, 40 + 5 * [...text].length);

function tone(rate: number, ms: number): Buffer {
  const n = Math.round((rate * ms) / 1000);
  const pcm = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) pcm.writeInt16LE(Math.round(800 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  return pcm;
}

const chunk = (id: string, body: Buffer) => Buffer.concat([Buffer.from(id, 'ascii'), u32(body.length), body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

function wav(pcm: Buffer, rate: number, comment: string): Buffer {
  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(1, 0); // PCM
  fmt.writeUInt16LE(1, 2); // mono
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE(rate * 2, 8);
  fmt.writeUInt16LE(2, 12);
  fmt.writeUInt16LE(16, 14);
  const info = chunk('LIST', Buffer.concat([Buffer.from('INFO'), chunk('ICMT', Buffer.from(`${comment}\0`, 'utf8'))]));
  const body = Buffer.concat([Buffer.from('WAVE'), chunk('fmt ', fmt), info, chunk('data', pcm)]);
  return Buffer.concat([Buffer.from('RIFF'), u32(body.length), body]);
}

/** Silent MPEG-2 Layer III frames (64 kbps, mono) lasting about `ms`. */
function mp3(rate: 16000 | 24000, ms: number): Buffer {
  const frameBytes = (72 * 64000) / rate;
  const frames = Math.max(1, Math.round(ms / ((576 / rate) * 1000)));
  const frame = Buffer.alloc(frameBytes);
  frame.set([0xff, 0xf3, rate === 24000 ? 0x84 : 0x88, 0xc0]);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, i) => {
  let r = i << 24;
  for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  return r >>> 0;
});

function oggPage(packets: Buffer[], seq: number, granule: number, type: number): Buffer {
  const lacing = packets.flatMap((p) => [...Array(Math.floor(p.length / 255)).fill(255), p.length % 255]);
  const head = Buffer.alloc(27);
  head.write('OggS', 0, 'ascii');
  head[5] = type;
  head.writeBigUInt64LE(BigInt(granule), 6);
  head.writeUInt32LE(0x7472_7463, 14); // stream serial
  head.writeUInt32LE(seq, 18);
  head[26] = lacing.length;
  const page = Buffer.concat([head, Buffer.from(lacing), ...packets]);
  let crc = 0;
  for (const byte of page) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  page.writeUInt32LE(crc, 22);
  return page;
}

/** An Ogg Opus stream of 20 ms silent frames, its comment holding the text. */
function opus(rate: number, ms: number, comment: string): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'ascii');
  head[8] = 1;
  head[9] = 1;
  head.writeUInt16LE(312, 10);
  head.writeUInt32LE(rate, 12);
  const vendor = Buffer.from('trtc-mcp sandbox');
  const note = Buffer.from(`COMMENT=${comment}`, 'utf8');
  const tags = Buffer.concat([Buffer.from('OpusTags'), u32(vendor.length), vendor, u32(1), u32(note.length), note]);
  const frames = Math.max(1, Math.round(ms / 20));
  return Buffer.concat([
    oggPage([head], 0, 0, 2),
    oggPage([tags], 1, 0, 0),
    oggPage(Array.from({ length: frames }, () => Buffer.from([0xf8])), 2, 312 + frames * 960, 4),
  ]);
}

/** Audio saying `text` (a tone standing for speech) in the requested format, with its length in ms. */
export function synthesize(text: string, format: string | undefined, rate: 16000 | 24000 = 24000): { audio: Buffer; ms: number } {
  const ms = clipMs(text);
  switch (format ?? 'pcm') {
    case 'wav':
      return { audio: wav(tone(rate, ms), rate, text), ms };
    case 'mp3':
      return { audio: mp3(rate, ms), ms };
    case 'opus':
      return { audio: opus(rate, ms, text), ms };
    default:
      return { audio: tone(rate, ms), ms };
  }
}

/** The text a wav (its INFO comment) or an Ogg Opus stream (its COMMENT tag) carries, if any. */
export function heardIn(audio: Buffer): string | undefined {
  if (audio.subarray(0, 4).toString('latin1') === 'RIFF') {
    const at = audio.indexOf('ICMT', 12, 'latin1');
    if (at < 0) return undefined;
    const size = audio.readUInt32LE(at + 4);
    return audio.subarray(at + 8, at + 8 + size).toString('utf8').replace(/\0+$/, '');
  }
  const at = audio.indexOf('COMMENT=', 0, 'latin1');
  if (audio.subarray(0, 4).toString('latin1') !== 'OggS' || at < 0) return undefined;
  return audio.subarray(at + 8, at + audio.readUInt32LE(at - 4)).toString('utf8');
}

/** The PCM layout of a wav file, or undefined when the bytes are not one. */
export function wavInfo(audio: Buffer): { rate: number; channels: number; bits: number; seconds: number } | undefined {
  if (audio.length < 44 || audio.subarray(0, 4).toString('latin1') !== 'RIFF' || audio.subarray(8, 12).toString('latin1') !== 'WAVE') return undefined;
  let fmt: { rate: number; channels: number; bits: number } | undefined;
  for (let at = 12; at + 8 <= audio.length; ) {
    const id = audio.subarray(at, at + 4).toString('latin1');
    const size = audio.readUInt32LE(at + 4);
    if (id === 'fmt ') fmt = { channels: audio.readUInt16LE(at + 10), rate: audio.readUInt32LE(at + 12), bits: audio.readUInt16LE(at + 22) };
    if (id === 'data' && fmt) return { ...fmt, seconds: Math.min(size, audio.length - at - 8) / (fmt.rate * fmt.channels * (fmt.bits / 8)) };
    at += 8 + size + (size % 2);
  }
  return undefined;
}

/** Whether the bytes start like a wav, mp3 or m4a file. */
export function looksLikeAudio(audio: Buffer): boolean {
  return (
    wavInfo(audio) !== undefined ||
    audio.subarray(0, 3).toString('latin1') === 'ID3' ||
    (audio[0] === 0xff && (audio[1]! & 0xe0) === 0xe0) ||
    audio.subarray(4, 8).toString('latin1') === 'ftyp'
  );
}
