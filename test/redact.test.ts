// The redactor masks configured secrets and secret-shaped values wherever they appear.
import { describe, expect, it } from 'vitest';
import { addSecret, redact, redactText } from '../src/redact.js';

describe('redaction', () => {
  it('masks registered secret values anywhere in text', () => {
    addSecret('s3cr3t-value-123');
    expect(redactText('key is s3cr3t-value-123!')).toBe('key is [redacted]!');
  });

  it('masks a registered secret however short it is', () => {
    addSecret('q7');
    expect(redactText('key=q7;')).toBe('key=[redacted];');
  });

  it('masks usersig in URLs, TC3 authorizations and bearer tokens', () => {
    expect(redactText('https://h/v4/x/y?sdkappid=1&usersig=eJyrVkrOz9&random=2')).toBe('https://h/v4/x/y?sdkappid=1&usersig=[redacted]&random=2');
    expect(redactText('Authorization: TC3-HMAC-SHA256 Credential=AK/2024-01-01/trtc/tc3_request, SignedHeaders=content-type;host, Signature=abcdef0123'))
      .not.toMatch(/Signature=abcdef|Credential=AK/);
    expect(redactText('authorization: Bearer tok123')).not.toContain('tok123');
  });

  it('masks secret-named members in objects and in JSON strings', () => {
    const out = redact({ SecretKey: 'a', nested: { UserSig: 'b', ApiKey: 'c', keep: 'd' }, LLMConfig: '{"APIKey":"sk-123","Model":"m"}', list: [{ token: 'x' }] });
    expect(out).toEqual({ SecretKey: '[redacted]', nested: { UserSig: '[redacted]', ApiKey: '[redacted]', keep: 'd' }, LLMConfig: '{"APIKey":"[redacted]","Model":"m"}', list: [{ token: '[redacted]' }] });
  });

  it('masks a TTS SecretId like its SecretKey, as a member and inside JSON text', () => {
    const tts = { TTSType: 'tencent', AppId: 1300000000, SecretId: 'AKIDtts123', SecretKey: 'tts-key', VoiceType: 101001 };
    expect(redact({ TTSConfig: tts })).toEqual({ TTSConfig: { ...tts, SecretId: '[redacted]', SecretKey: '[redacted]' } });
    expect(JSON.parse(redact({ TTSConfig: JSON.stringify(tts) }).TTSConfig)).toEqual({ ...tts, SecretId: '[redacted]', SecretKey: '[redacted]' });
  });

  it('masks UserSig-shaped strings', () => {
    const sig = `eJw${'A'.repeat(80)}`;
    expect(redactText(`sig=${sig} end`)).toBe('sig=[redacted] end');
  });

  it('leaves ordinary data alone', () => {
    const data = { RoomId: 1234, UserIds: ['alice'], RequestId: 'eac6b301-a322-493a-8e36-83b295459397', MaxTokens: 100 };
    expect(redact(data)).toEqual(data);
  });
});
