// What the sandbox's bots make of what users say: a moderation verdict for a line of speech, and the clips and
// frames a slicing bot stores. Deterministic: the same words always give the same verdict.

export interface Verdict {
  Label: string;
  /** 0 pass, 1 review, 2 block. */
  Suggest: 0 | 1 | 2;
  /** Confidence 0-100 in the label. */
  Score: number;
  Keywords: string[];
}

/** Words each label is recognised by; checked in this order. */
const LEXICON: Array<[label: string, suggest: 1 | 2, words: string[]]> = [
  ['Abuse', 2, ['idiot', 'stupid', 'moron', 'shut up', 'hate you']],
  ['Illegal', 2, ['drugs for sale', 'fake passport']],
  ['Ad', 1, ['buy now', 'discount code', 'promo code', 'visit my shop']],
];

export function verdictOf(text: string): Verdict {
  const lower = text.toLowerCase();
  for (const [label, suggest, words] of LEXICON) {
    const hits = words.filter((w) => lower.includes(w));
    if (hits.length) return { Label: label, Suggest: suggest, Score: Math.min(99, 80 + 10 * hits.length), Keywords: hits };
  }
  return { Label: 'Normal', Suggest: 0, Score: 0, Keywords: [] };
}

/** Whether subscription lists (allowlist or blocklist per medium; "1.*$" matches a prefix) let this user's medium in. */
export function subscribed(lists: Record<string, string[] | undefined> | undefined, userId: string, media: 'Audio' | 'Video' | 'any' = 'any'): boolean {
  const matches = (ids: string[] | undefined) => ids?.some((id) => (id.endsWith('.*$') ? userId.startsWith(id.slice(0, -3)) : id === userId));
  const ok = (m: 'Audio' | 'Video') => {
    const allow = lists?.[`Subscribe${m}UserIds`];
    return (allow?.length ? !!matches(allow) : true) && !matches(lists?.[`UnSubscribe${m}UserIds`]);
  };
  return media === 'any' ? ok('Audio') || ok('Video') : ok(media);
}

/** The object-storage URL of a stored clip or frame, named as the docs describe. */
export function sliceUrl(storage: Record<string, any> | undefined, parts: { taskId: string; userId: string; sdkAppId: number; roomId: string; kind: 'audios' | 'images'; at: number; ext: string }): string | undefined {
  if (!storage) return undefined;
  const { Bucket: b, Region: r } = storage;
  const base = [`https://${b}.cos.${r}.myqcloud.com`, `https://${b}.s3.${r}.amazonaws.com`, `https://${b}.oss-${r}.aliyuncs.com`][storage.Vendor as number];
  const stamp = new Date(parts.at).toISOString().replace(/[-:]/g, '').slice(0, 15);
  const path = [...(storage.FileNamePrefix ?? []), parts.taskId, parts.userId, parts.kind, `${parts.sdkAppId}_${parts.roomId}_${parts.userId}_${stamp}.${parts.ext}`];
  return `${base}/${path.map(encodeURIComponent).join('/')}`;
}

/** The user whose clip a sandbox slice URL names, if it is one. */
export function userOfSliceUrl(url: string): string | undefined {
  const m = /\/[^/]+\/([^/]+)\/audios\/\d+_[^/]*\.(?:ogg|mp3|wav)$/.exec(url);
  return m ? decodeURIComponent(m[1]!) : undefined;
}
