import type { AdapterPayload } from 'oidc-provider';
import type { SqlDriver } from './sql.js';

export interface StoredArtifact {
  readonly payload: AdapterPayload;
  readonly consumedAt: Date | null;
}

type Lookup = { readonly uid: string } | { readonly userCode: string };

const LOOKUP_COLUMN = { uid: 'uid', userCode: 'user_code' } as const;

function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function isPayload(value: unknown): value is AdapterPayload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Waiter {
  readonly model: string;
  resolve(value: StoredArtifact | undefined): void;
  reject(error: unknown): void;
}

/**
 * Repository for the `oidc_models` table: every artifact the OIDC provider persists. Plain SQL on
 * the driver rather than Prisma: these few statements run on every token request, and Prisma's
 * query pipeline costs more than the query itself here (see the bench).
 */
export class OidcStore {
  private readonly batches = new Map<string, { now: Date; waiters: Waiter[] }>();

  constructor(private readonly sql: SqlDriver) {}

  /**
   * Finds by id. Lookups of one id under several models in the same tick become one query: the
   * provider resolves an unhinted token by asking as AccessToken, ClientCredentials and
   * RefreshToken at once (introspection, revocation).
   */
  findById(model: string, id: string, now: Date): Promise<StoredArtifact | undefined> {
    let batch = this.batches.get(id);
    if (!batch) {
      const created = { now, waiters: [] as Waiter[] };
      this.batches.set(id, created);
      batch = created;
      queueMicrotask(() => void this.flush(id));
    }
    const waiters = batch.waiters;
    return new Promise((resolve, reject) => waiters.push({ model, resolve, reject }));
  }

  private async flush(id: string): Promise<void> {
    const batch = this.batches.get(id);
    this.batches.delete(id);
    if (!batch) return;
    const models = [...new Set(batch.waiters.map((w) => w.model))];
    try {
      const rows = await this.sql.query<{ model: string; payload: unknown; consumed_at: Date | null }>(
        `SELECT model, payload, consumed_at FROM oidc_models
         WHERE id = $1 AND model = ANY($2::text[]) AND (expires_at IS NULL OR expires_at > $3)`,
        [id, models, batch.now],
      );
      for (const waiter of batch.waiters) {
        const row = rows.find((r) => r.model === waiter.model);
        waiter.resolve(row && isPayload(row.payload) ? { payload: row.payload, consumedAt: row.consumed_at } : undefined);
      }
    } catch (error) {
      for (const waiter of batch.waiters) waiter.reject(error);
    }
  }

  async upsert(model: string, id: string, payload: AdapterPayload, expiresAt: Date | null): Promise<void> {
    // An upsert replaces the whole record, consumed state included, as the provider's memory adapter does.
    await this.sql.query(
      `INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, account_id, expires_at, consumed_at)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, NULL)
       ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
         user_code = EXCLUDED.user_code, uid = EXCLUDED.uid, account_id = EXCLUDED.account_id,
         expires_at = EXCLUDED.expires_at, consumed_at = NULL`,
      [model, id, JSON.stringify(payload), optionalString(payload.grantId), optionalString(payload.userCode),
        optionalString(payload.uid), optionalString(payload.accountId), expiresAt],
    );
  }

  async find(model: string, lookup: Lookup, now: Date): Promise<StoredArtifact | undefined> {
    const [key, value] = Object.entries(lookup)[0] as [keyof typeof LOOKUP_COLUMN, string];
    const rows = await this.sql.query<{ payload: unknown; consumed_at: Date | null }>(
      `SELECT payload, consumed_at FROM oidc_models
       WHERE model = $1 AND ${LOOKUP_COLUMN[key]} = $2 AND (expires_at IS NULL OR expires_at > $3) LIMIT 1`,
      [model, value, now],
    );
    const row = rows[0];
    if (!row || !isPayload(row.payload)) return undefined;
    return { payload: row.payload, consumedAt: row.consumed_at };
  }

  /** Marks an artifact used; true only for the call that did. The first time is kept, so a replay cannot extend a grace window. */
  async consume(model: string, id: string, now: Date): Promise<boolean> {
    const rows = await this.sql.query('UPDATE oidc_models SET consumed_at = $3 WHERE model = $1 AND id = $2 AND consumed_at IS NULL RETURNING 1 AS done', [model, id, now]);
    return rows.length === 1;
  }

  async grantIdOf(model: string, id: string): Promise<string | undefined> {
    const rows = await this.sql.query<{ grant_id: string | null }>('SELECT grant_id FROM oidc_models WHERE model = $1 AND id = $2', [model, id]);
    return rows[0]?.grant_id ?? undefined;
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.sql.query('DELETE FROM oidc_models WHERE model = $1 AND id = $2', [model, id]);
  }

  async destroyByGrantId(model: string, grantId: string): Promise<void> {
    await this.sql.query('DELETE FROM oidc_models WHERE model = $1 AND grant_id = $2', [model, grantId]);
  }

  /** Ends every artifact of a grant, whatever its model (a replayed code). */
  async destroyGrant(grantId: string): Promise<void> {
    await this.sql.query(`DELETE FROM oidc_models WHERE grant_id = $1 OR (model = 'Grant' AND id = $1)`, [grantId]);
  }

  /** Ends everything a user holds: sessions, grants, codes and tokens (account disabled, password reset). */
  async destroyByAccountId(accountId: string): Promise<number> {
    return this.count('DELETE FROM oidc_models WHERE account_id = $1', [accountId]);
  }

  async purgeExpired(now: Date): Promise<number> {
    return this.count('DELETE FROM oidc_models WHERE expires_at <= $1', [now]);
  }

  private async count(deleteSql: string, params: unknown[]): Promise<number> {
    const rows = await this.sql.query<{ n: number }>(`WITH gone AS (${deleteSql} RETURNING 1) SELECT count(*)::int AS n FROM gone`, params);
    return rows[0]?.n ?? 0;
  }
}
