import type { AdapterPayload } from 'oidc-provider';
import { ArtifactCache } from './artifact-cache.js';
import { batcherFor, type Batcher } from './batcher.js';
import { storableText, timestamp, type SqlDriver } from './sql.js';
import { findTokenContexts, isPayload, live, type ContextLookup, type TokenContext } from './token-context.js';

export type { TokenContext };

export interface StoredArtifact {
  readonly payload: AdapterPayload;
  readonly consumedAt: Date | null;
  readonly expiresAt?: Date | null;
}

type Lookup = { readonly uid: string } | { readonly userCode: string };

const LOOKUP_COLUMN = { uid: 'uid', userCode: 'user_code' } as const;

function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}


interface Upsert {
  readonly model: string;
  readonly id: string;
  readonly payload: AdapterPayload;
  readonly json: string;
  readonly expiresAt: Date | null;
}

/** Artifacts remembered on a single-process database: a sign-in's and a few thousand refreshes' worth, a few MB. */
const CACHED_ARTIFACTS = 5000;

interface IdLookup {
  readonly model: string;
  readonly id: string;
  readonly now: Date;
}

interface UidLookup {
  readonly model: string;
  readonly uid: string;
  readonly now: Date;
}

/**
 * Repository for the `oidc_models` table: every artifact the OIDC provider persists. Plain SQL on
 * the driver rather than Prisma: these few statements run on every token request, and Prisma's
 * query pipeline costs more than the query itself here (see the bench). Lookups by id and by
 * session uid, upserts and consumes are group-committed (see Batcher): under load, concurrent
 * requests share one statement. On a database only this process writes (embedded), what it wrote
 * is also kept in an ArtifactCache, and reading it back costs no statement.
 */
export class OidcStore {
  private readonly cache: ArtifactCache | undefined;
  private readonly reads: Batcher<IdLookup, StoredArtifact | undefined>;
  private readonly writes: Batcher<Upsert, void>;
  private readonly sessionReads: Batcher<UidLookup, StoredArtifact | undefined>;
  private readonly consumes: Batcher<IdLookup, boolean>;
  private readonly contexts: Batcher<ContextLookup, TokenContext | undefined>;

  constructor(private readonly sql: SqlDriver) {
    this.cache = sql.singleProcess ? new ArtifactCache(CACHED_ARTIFACTS) : undefined;
    this.reads = batcherFor(sql, (items: IdLookup[]) => this.findMany(items));
    this.writes = batcherFor(sql, (items: Upsert[]) => this.upsertMany(items));
    this.sessionReads = batcherFor(sql, (items: UidLookup[]) => this.findManyByUid(items));
    this.consumes = batcherFor(sql, (items: IdLookup[]) => this.consumeMany(items));
    this.contexts = batcherFor(sql, (items: ContextLookup[]) => findTokenContexts(sql, items));
  }

  /**
   * Finds by id. The provider resolves an unhinted token by asking for one id as AccessToken,
   * ClientCredentials and RefreshToken at once (introspection, revocation); such lookups, and
   * any others waiting together, become one query.
   */
  async findById(model: string, id: string, now: Date): Promise<StoredArtifact | undefined> {
    if (!storableText(id)) return undefined;
    const cache = this.cache;
    if (!cache) return this.reads.submit({ model, id, now });
    const hit = cache.get(model, id, now);
    if (hit) return { payload: hit.payload, consumedAt: null };
    const epoch = cache.epoch;
    const found = await this.reads.submit({ model, id, now });
    this.remember(cache, model, id, found, epoch);
    return found;
  }

  /**
   * Finds a token with the session, grant and account it names, in one statement (see
   * TokenContext). A token this process wrote to the embedded database comes from the cache,
   * without the rest: that is read, from the cache as well, when asked for.
   */
  async findWithContext(model: string, id: string, now: Date): Promise<TokenContext | undefined> {
    if (!storableText(id)) return undefined;
    const cache = this.cache;
    const hit = cache?.get(model, id, now);
    if (hit) return { token: { payload: hit.payload, consumedAt: null } };
    const epoch = cache?.epoch ?? 0;
    const found = await this.contexts.submit({ model, id, now });
    if (cache) this.remember(cache, model, id, found?.token, epoch);
    return found;
  }

  /** A read that missed the cache fills it with an artifact still usable (see ArtifactCache.fill). */
  private remember(cache: ArtifactCache, model: string, id: string, found: StoredArtifact | undefined, epoch: number): void {
    if (found && !found.consumedAt) cache.fill(model, id, { json: JSON.stringify(found.payload), expiresAt: found.expiresAt ?? null, uid: optionalString(found.payload.uid) }, epoch);
  }

  private async findMany(items: IdLookup[]): Promise<Array<StoredArtifact | undefined>> {
    const rows = await this.sql.query<{ model: string; id: string; payload: unknown; consumed_at: unknown; expires_at: unknown }>(
      `SELECT model, id, payload, consumed_at, expires_at FROM oidc_models
       WHERE id = ANY($1::text[]) AND model = ANY($2::text[])`,
      [[...new Set(items.map((i) => i.id))], [...new Set(items.map((i) => i.model))]],
    );
    return items.map((item) => {
      const row = rows.find((r) => r.id === item.id && r.model === item.model);
      return (row && live(row.payload, row.consumed_at, row.expires_at, item.now)) ?? undefined;
    });
  }

  async upsert(model: string, id: string, payload: AdapterPayload, expiresAt: Date | null): Promise<void> {
    const json = JSON.stringify(payload);
    await this.writes.submit({ model, id, payload, json, expiresAt });
    this.cache?.set(model, id, { json, expiresAt, uid: optionalString(payload.uid) });
  }

  private async upsertMany(items: Upsert[]): Promise<void[]> {
    // One statement may not touch a row twice: the last write of an artifact in the batch wins,
    // as it would have had they run one after another.
    const latest = new Map<string, Upsert>();
    for (const item of items) latest.set(`${item.model}\u0000${item.id}`, item);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const { model, id, payload, json, expiresAt } of latest.values()) {
      const n = params.length;
      tuples.push(`($${n + 1}, $${n + 2}, $${n + 3}::jsonb, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}, $${n + 8}::timestamptz, NULL::timestamptz)`);
      params.push(model, id, json, optionalString(payload.grantId), optionalString(payload.userCode),
        optionalString(payload.uid), optionalString(payload.accountId), expiresAt);
    }
    // An upsert replaces the whole record, consumed state included, as the provider's memory adapter does.
    await this.sql.query(
      `INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, account_id, expires_at, consumed_at)
       VALUES ${tuples.join(', ')}
       ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
         user_code = EXCLUDED.user_code, uid = EXCLUDED.uid, account_id = EXCLUDED.account_id,
         expires_at = EXCLUDED.expires_at, consumed_at = NULL`,
      params,
    );
    return items.map(() => undefined);
  }

  async find(model: string, lookup: Lookup, now: Date): Promise<StoredArtifact | undefined> {
    if (!storableText('uid' in lookup ? lookup.uid : lookup.userCode)) return undefined;
    // Sessions by uid are looked up on every authorization and refresh: batched like lookups by id.
    if ('uid' in lookup) {
      const hit = model === 'Session' ? this.cache?.getSession(lookup.uid, now) : undefined;
      return hit ? { payload: hit.payload, consumedAt: null } : this.sessionReads.submit({ model, uid: lookup.uid, now });
    }
    const [key, value] = Object.entries(lookup)[0] as [keyof typeof LOOKUP_COLUMN, string];
    const rows = await this.sql.query<{ payload: unknown; consumed_at: unknown }>(
      `SELECT payload, consumed_at FROM oidc_models
       WHERE model = $1 AND ${LOOKUP_COLUMN[key]} = $2 AND (expires_at IS NULL OR expires_at > $3) LIMIT 1`,
      [model, value, now],
    );
    const row = rows[0];
    if (!row || !isPayload(row.payload)) return undefined;
    return { payload: row.payload, consumedAt: timestamp(row.consumed_at) };
  }

  private async findManyByUid(items: UidLookup[]): Promise<Array<StoredArtifact | undefined>> {
    const rows = await this.sql.query<{ model: string; uid: string; payload: unknown; consumed_at: unknown; expires_at: unknown }>(
      'SELECT model, uid, payload, consumed_at, expires_at FROM oidc_models WHERE uid = ANY($1::text[]) AND model = ANY($2::text[])',
      [[...new Set(items.map((i) => i.uid))], [...new Set(items.map((i) => i.model))]],
    );
    return items.map((item) => {
      // Several rows may share a uid (an expired session and a new one): the first live one counts.
      for (const r of rows) {
        const found = r.uid === item.uid && r.model === item.model ? live(r.payload, r.consumed_at, r.expires_at, item.now) : null;
        if (found) return found;
      }
      return undefined;
    });
  }

  /** Marks an artifact used; true only for the call that did. The first time is kept, so a replay cannot extend a grace window. */
  async consume(model: string, id: string, now: Date): Promise<boolean> {
    try {
      return await this.consumes.submit({ model, id, now });
    } finally {
      // The row's consumed_at is the batch's time: read it back from the database when needed.
      this.cache?.drop(model, id);
    }
  }

  private async consumeMany(items: IdLookup[]): Promise<boolean[]> {
    const key = (i: { model: string; id: string }) => `${i.model}\u0000${i.id}`;
    const unique = [...new Map(items.map((i) => [key(i), i])).values()];
    const rows = await this.sql.query<{ model: string; id: string }>(
      `UPDATE oidc_models o SET consumed_at = $3 FROM unnest($1::text[], $2::text[]) AS v(model, id)
       WHERE o.model = v.model AND o.id = v.id AND o.consumed_at IS NULL RETURNING o.model, o.id`,
      [unique.map((i) => i.model), unique.map((i) => i.id), items[0]?.now ?? new Date()],
    );
    const won = new Set(rows.map(key));
    // Two consumes of one artifact in the same batch: only the first in line used it.
    return items.map((item) => won.delete(key(item)));
  }

  async grantIdOf(model: string, id: string): Promise<string | undefined> {
    const rows = await this.sql.query<{ grant_id: string | null }>('SELECT grant_id FROM oidc_models WHERE model = $1 AND id = $2', [model, id]);
    return rows[0]?.grant_id ?? undefined;
  }

  async destroy(model: string, id: string): Promise<void> {
    try {
      await this.sql.query('DELETE FROM oidc_models WHERE model = $1 AND id = $2', [model, id]);
    } finally {
      this.cache?.drop(model, id);
    }
  }

  async destroyByGrantId(model: string, grantId: string): Promise<void> {
    await this.forgetting(() => this.sql.query('DELETE FROM oidc_models WHERE model = $1 AND grant_id = $2', [model, grantId]));
  }

  /** Ends every artifact of a grant, whatever its model (a replayed code). */
  async destroyGrant(grantId: string): Promise<void> {
    await this.forgetting(() => this.sql.query(`DELETE FROM oidc_models WHERE grant_id = $1 OR (model = 'Grant' AND id = $1)`, [grantId]));
  }

  /** Ends everything a user holds: sessions, grants, codes and tokens (account disabled, password reset). */
  async destroyByAccountId(accountId: string): Promise<number> {
    return this.count('DELETE FROM oidc_models WHERE account_id = $1', [accountId]);
  }

  /** Ends everything a user holds except one provider session (password changed from that session). */
  async destroyByAccountIdExceptSession(accountId: string, sessionUid: string): Promise<number> {
    return this.count(`DELETE FROM oidc_models WHERE account_id = $1 AND NOT (model = 'Session' AND uid IS NOT DISTINCT FROM $2)`, [accountId, sessionUid]);
  }

  async purgeExpired(now: Date): Promise<number> {
    return this.count('DELETE FROM oidc_models WHERE expires_at <= $1', [now]);
  }

  private async count(deleteSql: string, params: unknown[]): Promise<number> {
    const rows = await this.forgetting(() => this.sql.query<{ n: number }>(`WITH gone AS (${deleteSql} RETURNING 1) SELECT count(*)::int AS n FROM gone`, params));
    return rows[0]?.n ?? 0;
  }

  /**
   * A delete by grant, account or expiry: the cache cannot tell which of its entries it hits, so it
   * forgets everything once the delete is done (a read that overlapped it may have seen either
   * state, and its fill is refused; see ArtifactCache). Revocations are rare next to reads.
   */
  private async forgetting<T>(remove: () => Promise<T>): Promise<T> {
    try {
      return await remove();
    } finally {
      this.cache?.clear();
    }
  }
}
