import { randomUUID } from 'node:crypto';
import type { SqlDriver } from './sql.js';
import type { Tx } from './outbox-repository.js';

export type EmailTokenPurpose = 'verify_email' | 'reset_password' | 'change_email';

export interface EmailTokenRecord {
  readonly id: string;
  readonly userId: string;
  readonly purpose: EmailTokenPurpose;
  readonly email: string;
  readonly codeHash: string | null;
  readonly codeExpiresAt: Date | null;
  readonly attempts: number;
  readonly createdAt: Date;
}

interface Row {
  id: string; user_id: string; purpose: EmailTokenPurpose; email: string; code_hash: string | null;
  code_expires_at: Date | null; attempts: number; created_at: Date;
}
const COLUMNS = 'id, user_id, purpose, email, code_hash, code_expires_at, attempts, created_at';
const fromRow = (r: Row): EmailTokenRecord => ({
  id: r.id, userId: r.user_id, purpose: r.purpose, email: r.email, codeHash: r.code_hash,
  codeExpiresAt: r.code_expires_at, attempts: r.attempts, createdAt: r.created_at,
});

export interface NewEmailToken {
  readonly userId: string;
  readonly purpose: EmailTokenPurpose;
  readonly email: string;
  readonly linkHash: string;
  readonly codeHash: string | null;
  readonly linkExpiresAt: Date;
  readonly codeExpiresAt: Date | null;
}

/** One-time links and codes sent by email; only their hashes are stored. Every use is one atomic UPDATE. */
export class EmailTokensRepository {
  constructor(private readonly sql: SqlDriver) {}

  /** A new token makes every earlier unused one of the same user and purpose worthless. */
  async create(tx: Tx, token: NewEmailToken & { readonly id?: string }): Promise<string> {
    const id = token.id ?? randomUUID();
    // One issuer per user at a time, so two requests at once cannot both leave a live token.
    await tx.$queryRawUnsafe('SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS l', `email-token:${token.userId}`);
    await tx.emailToken.updateMany({ where: { userId: token.userId, purpose: token.purpose, consumedAt: null }, data: { consumedAt: new Date() } });
    await tx.emailToken.create({ data: { ...token, id } });
    return id;
  }

  /** The live token behind a link, without using it (the confirmation page). */
  async findByLink(linkHash: string): Promise<EmailTokenRecord | undefined> {
    const rows = await this.sql.query<Row>(
      `SELECT ${COLUMNS} FROM email_tokens WHERE link_hash = $1 AND consumed_at IS NULL AND link_expires_at > now()`,
      [linkHash],
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /** Uses a link; only one caller ever gets the token back. */
  async consumeLink(tx: Tx, linkHash: string): Promise<EmailTokenRecord | undefined> {
    const rows = await tx.$queryRawUnsafe<Row[]>(
      `UPDATE email_tokens SET consumed_at = now() WHERE link_hash = $1 AND consumed_at IS NULL AND link_expires_at > now() RETURNING ${COLUMNS}`,
      linkHash,
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /** The newest unused token of a user for a purpose (code entry, resend cooldown). */
  async latest(userId: string, purpose: EmailTokenPurpose): Promise<EmailTokenRecord | undefined> {
    const rows = await this.sql.query<Row>(
      `SELECT ${COLUMNS} FROM email_tokens WHERE user_id = $1::uuid AND purpose = $2::"EmailTokenPurpose" AND consumed_at IS NULL
       ORDER BY created_at DESC LIMIT 1`,
      [userId, purpose],
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /** Counts a wrong code; false once the token has used up its attempts (or was used meanwhile). */
  async countWrongCode(id: string, maxAttempts: number): Promise<boolean> {
    const rows = await this.sql.query(
      'UPDATE email_tokens SET attempts = attempts + 1 WHERE id = $1::uuid AND consumed_at IS NULL AND attempts < $2 RETURNING 1 AS ok',
      [id, maxAttempts],
    );
    return rows.length === 1;
  }

  /** Uses a token by id after its code matched; only one caller wins. */
  async consumeById(tx: Tx, id: string, maxAttempts: number): Promise<EmailTokenRecord | undefined> {
    const rows = await tx.$queryRawUnsafe<Row[]>(
      `UPDATE email_tokens SET consumed_at = now() WHERE id = $1::uuid AND consumed_at IS NULL AND attempts < $2
         AND code_expires_at > now() RETURNING ${COLUMNS}`,
      id,
      maxAttempts,
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /** Tokens sent for a purpose in the last `windowMs` (per-account limits). */
  async countRecent(userId: string, purpose: EmailTokenPurpose, windowMs: number): Promise<number> {
    const rows = await this.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM email_tokens WHERE user_id = $1::uuid AND purpose = $2::"EmailTokenPurpose"
         AND created_at > now() - ($3::int * interval '1 millisecond')`,
      [userId, purpose, windowMs],
    );
    return rows[0]?.n ?? 0;
  }
}
