// What sandbox apps own outside rooms (pictures, vocabularies, voices, voiceprints, web recordings, synthesis tasks,
// room mixes), by kind and ID. IDs are unique across kinds, so an action that names only an ID finds its app.
import { randomBytes } from 'node:crypto';

export interface Thing {
  readonly id: string;
  readonly kind: string;
  readonly sdkAppId: number;
  readonly createdAt: number;
  /** Ended things stay described for a while, as Tencent describes finished tasks. */
  endedAt?: number;
  data: Record<string, any>;
}

/** Kinds whose data holds nothing secret, shown whole in the world snapshot. */
const SHOWN = new Set(['webRecord', 'mix', 'picture', 'vocab', 'ttsTask', 'liveModeration']);

export class Registry {
  private readonly things = new Map<string, Thing>();
  private readonly serials = new Map<string, number>();

  /** The next number of a kind whose IDs are numbers (pictures), unique in the world. */
  serial(kind: string): string {
    const n = (this.serials.get(kind) ?? 0) + 1;
    this.serials.set(kind, n);
    return String(n);
  }

  add(sdkAppId: number, kind: string, data: Record<string, any>, at: number, id = randomBytes(12).toString('base64url')): Thing {
    const thing: Thing = { id, kind, sdkAppId, createdAt: at, data };
    this.things.set(id, thing);
    return thing;
  }

  get(sdkAppId: number, kind: string, id: string | number): Thing | undefined {
    const t = this.things.get(String(id));
    return t && t.sdkAppId === sdkAppId && t.kind === kind ? t : undefined;
  }

  list(sdkAppId: number, kind: string): Thing[] {
    return [...this.things.values()].filter((t) => t.sdkAppId === sdkAppId && t.kind === kind);
  }

  delete(thing: Thing): void {
    this.things.delete(thing.id);
  }

  /** The app that owns a thing with this ID, if any. */
  ownerOf(id: string): number | undefined {
    return this.things.get(id)?.sdkAppId;
  }

  snapshot() {
    return [...this.things.values()].map((t) => ({
      id: t.id, kind: t.kind, sdkAppId: t.sdkAppId, createdAt: new Date(t.createdAt).toISOString(), ended: t.endedAt !== undefined, ...(SHOWN.has(t.kind) && { data: t.data }),
    }));
  }
}
