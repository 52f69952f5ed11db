import type { AdapterPayload } from 'oidc-provider';
import type { StoredArtifact } from './oidc-store.js';
import { timestamp, type SqlDriver } from './sql.js';
import { prefixedUserColumns, userFromPrefixed, type User } from './users-repository.js';

/**
 * A token together with what redeeming it reads next: the session it is bound to, its grant and
 * its account. `undefined` means the token names none; `null` that it names one that is gone.
 */
export interface TokenContext {
  readonly token: StoredArtifact;
  readonly session?: { readonly uid: string; readonly artifact: StoredArtifact | null };
  readonly grant?: { readonly id: string; readonly artifact: StoredArtifact | null };
  readonly account?: { readonly id: string; readonly user: User | null };
}

export interface ContextLookup {
  readonly model: string;
  readonly id: string;
  readonly now: Date;
}

const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

// The account join casts only what is a UUID: account ids are ours, but a cast error would fail
// the whole batch. An expired session or grant is filtered below, as every other read does.
const SQL = `SELECT t.model, t.id, t.payload, t.consumed_at, t.expires_at, t.payload->>'sessionUid' AS session_uid, t.grant_id, t.account_id,
    s.payload AS s_payload, s.consumed_at AS s_consumed_at, s.expires_at AS s_expires_at,
    g.payload AS g_payload, g.consumed_at AS g_consumed_at, g.expires_at AS g_expires_at,
    ${prefixedUserColumns('u', 'u_')}
  FROM oidc_models t
  LEFT JOIN oidc_models s ON s.model = 'Session' AND s.uid = t.payload->>'sessionUid'
  LEFT JOIN oidc_models g ON g.model = 'Grant' AND g.id = t.grant_id
  LEFT JOIN users u ON u.id = (CASE WHEN t.account_id ~* '${UUID_PATTERN}' THEN t.account_id::uuid END)
  WHERE t.id = ANY($1::text[]) AND t.model = ANY($2::text[])`;

type Row = Record<string, unknown> & { model: string; id: string; session_uid: string | null; grant_id: string | null; account_id: string | null };

export function isPayload(value: unknown): value is AdapterPayload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A row's payload and times, or null when it is not a payload or has expired by `now`. */
export function live(payload: unknown, consumedAt: unknown, expiresAt: unknown, now: Date): StoredArtifact | null {
  if (!isPayload(payload)) return null;
  const expires = timestamp(expiresAt);
  if (expires && expires.getTime() <= now.getTime()) return null;
  return { payload, consumedAt: timestamp(consumedAt), expiresAt: expires };
}

function contextOf(row: Row, now: Date): TokenContext | undefined {
  const token = live(row.payload, row.consumed_at, row.expires_at, now);
  if (!token) return undefined;
  return {
    token,
    ...(row.session_uid ? { session: { uid: row.session_uid, artifact: live(row.s_payload, row.s_consumed_at, row.s_expires_at, now) } } : {}),
    ...(row.grant_id ? { grant: { id: row.grant_id, artifact: live(row.g_payload, row.g_consumed_at, row.g_expires_at, now) } } : {}),
    ...(row.account_id ? { account: { id: row.account_id, user: userFromPrefixed(row, 'u_') } } : {}),
  };
}

/**
 * Finds tokens with their session, grant and account in one statement. Redeeming a refresh token
 * or a code reads those three one after another; on PostgreSQL each is a round trip.
 */
export async function findTokenContexts(sql: SqlDriver, items: readonly ContextLookup[]): Promise<Array<TokenContext | undefined>> {
  const rows = await sql.query<Row>(SQL, [[...new Set(items.map((i) => i.id))], [...new Set(items.map((i) => i.model))]]);
  return items.map((item) => {
    const row = rows.find((r) => r.id === item.id && r.model === item.model);
    return row ? contextOf(row, item.now) : undefined;
  });
}
