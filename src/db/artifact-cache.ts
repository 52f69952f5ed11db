import type { AdapterPayload } from 'oidc-provider';

export interface CachedArtifact {
  /** The payload as JSON: every hit parses its own copy, so a caller mutating it cannot change the cache. */
  readonly json: string;
  readonly expiresAt: Date | null;
  readonly uid: string | null;
}

/**
 * What this process wrote to `oidc_models` lately, so that reading it back (the interaction on the
 * next page, the session and grant on /token, the refresh token on the grant) needs no statement.
 * Only for a database this process alone writes (embedded PGlite, whose directory it has locked):
 * with several processes on one PostgreSQL another could revoke what this one still remembers.
 *
 * Coherence rules, all applied by OidcStore: an upsert replaces the entry once it committed; a
 * consume or a delete of one artifact drops it; any delete by grant, account or expiry drops
 * everything. A read that missed fills the entry only if nothing was written meanwhile (`epoch`),
 * so a slow read cannot put back what a concurrent write replaced or removed.
 */
interface Entry extends CachedArtifact {
  readonly model: string;
  readonly id: string;
}

export class ArtifactCache {
  private readonly entries = new Map<string, Entry>();
  private readonly sessionsByUid = new Map<string, string>();
  private writes = 0;

  constructor(private readonly maxEntries: number) {}

  private static key(model: string, id: string): string {
    return `${model}\u0000${id}`;
  }

  /** A marker to pass to `fill` after a read: the fill is skipped if anything was written since. */
  get epoch(): number {
    return this.writes;
  }

  get(model: string, id: string, now: Date): { payload: AdapterPayload } | undefined {
    const key = ArtifactCache.key(model, id);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt && entry.expiresAt.getTime() <= now.getTime()) {
      this.remove(key);
      return undefined;
    }
    // Least recently used first out: a hit moves the entry to the back.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { payload: JSON.parse(entry.json) as AdapterPayload };
  }

  getSession(uid: string, now: Date): { payload: AdapterPayload } | undefined {
    const id = this.sessionsByUid.get(uid);
    return id === undefined ? undefined : this.get('Session', id, now);
  }

  /** After a committed upsert: the row now holds exactly this (never consumed). */
  set(model: string, id: string, entry: CachedArtifact): void {
    this.writes += 1;
    this.put(model, id, entry);
  }

  /** After a read that missed; ignored if the cache saw a write since `epoch`. */
  fill(model: string, id: string, entry: CachedArtifact, epoch: number): void {
    if (epoch === this.writes) this.put(model, id, entry);
  }

  drop(model: string, id: string): void {
    this.writes += 1;
    this.remove(ArtifactCache.key(model, id));
  }

  clear(): void {
    this.writes += 1;
    this.entries.clear();
    this.sessionsByUid.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private put(model: string, id: string, artifact: CachedArtifact): void {
    const key = ArtifactCache.key(model, id);
    this.remove(key);
    this.entries.set(key, { ...artifact, model, id });
    if (model === 'Session' && artifact.uid !== null) this.sessionsByUid.set(artifact.uid, id);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.remove(oldest);
    }
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    if (entry.model === 'Session' && entry.uid !== null && this.sessionsByUid.get(entry.uid) === entry.id) this.sessionsByUid.delete(entry.uid);
  }
}
