import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import type { User, UserStatus } from '../generated/prisma/client.js';
import { batcherFor, type Batcher } from './batcher.js';
import { storableText, type SqlDriver } from './sql.js';
import type { Tx } from './outbox-repository.js';

export type { User, UserStatus };

export interface NewUser {
  readonly email: string;
  readonly username?: string | undefined;
  readonly name?: string | undefined;
  readonly passwordHash: string;
  readonly emailVerified?: boolean;
  readonly selfRegistered?: boolean;
  readonly roles?: readonly string[];
}

export class DuplicateUserError extends Error {
  constructor(readonly field: 'email' | 'username') {
    super(`${field} is taken`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function lower(value: string): string {
  return value.normalize('NFKC').toLowerCase();
}

const COLUMNS = ['id', 'email', 'email_lower', 'username', 'username_lower', 'name', 'password_hash', 'email_verified',
  'self_registered', 'picture', 'status', 'roles', 'created_at', 'updated_at'] as const;
const USER_COLUMNS = COLUMNS.join(', ');

interface UserRow {
  id: string; email: string; email_lower: string; username: string | null; username_lower: string | null;
  name: string | null; password_hash: string | null; email_verified: boolean; self_registered: boolean; picture: string | null;
  status: UserStatus; roles: string[] | null; created_at: Date; updated_at: Date;
}

function fromRow(row: UserRow | undefined): User | null {
  if (!row) return null;
  return {
    id: row.id, email: row.email, emailLower: row.email_lower, username: row.username, usernameLower: row.username_lower,
    name: row.name, passwordHash: row.password_hash, emailVerified: row.email_verified, selfRegistered: row.self_registered, picture: row.picture,
    status: row.status, roles: row.roles ?? [], createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

/** The users columns of a joined table `alias`, each renamed `<prefix><column>` (see userFromPrefixed). */
export function prefixedUserColumns(alias: string, prefix: string): string {
  return COLUMNS.map((column) => `${alias}.${column} AS ${prefix}${column}`).join(', ');
}

/** The user in a row selected with prefixedUserColumns; null when the join matched none. */
export function userFromPrefixed(row: Record<string, unknown>, prefix: string): User | null {
  if (row[`${prefix}id`] === null || row[`${prefix}id`] === undefined) return null;
  return fromRow(Object.fromEntries(COLUMNS.map((column) => [column, row[`${prefix}${column}`]])) as unknown as UserRow);
}

/**
 * Repository for accounts; uniqueness of email and username is case-insensitive. The two reads on
 * every sign-in and token use go straight to SQL (see OidcStore for why); writes use Prisma.
 */
export class UsersRepository {
  private readonly byId: Batcher<string, User | null>;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: SqlDriver,
  ) {
    // Every token request reads its account: concurrent ones share a query (see OidcStore).
    this.byId = batcherFor(sql, async (ids: string[]) => {
      const rows = await this.sql.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::uuid[])`, [[...new Set(ids)]]);
      return ids.map((id) => fromRow(rows.find((r) => r.id === id)));
    });
  }

  async findById(id: string): Promise<User | null> {
    // Not a UUID: no such user (and no invalid-input error from the cast).
    if (!UUID.test(id)) return null;
    return this.byId.submit(id.toLowerCase());
  }

  /** Finds by email or username, whichever the person typed. */
  async findByLogin(login: string): Promise<User | null> {
    const key = lower(login.trim());
    if (!storableText(key)) return null;
    const rows = await this.sql.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email_lower = $1 OR username_lower = $1 LIMIT 1`, [key]);
    return fromRow(rows[0]);
  }

  async create(user: NewUser, tx: Tx = this.prisma): Promise<User> {
    try {
      return await tx.user.create({
        data: {
          id: randomUUID(),
          email: user.email.trim(),
          emailLower: lower(user.email.trim()),
          username: user.username ?? null,
          usernameLower: user.username ? lower(user.username) : null,
          name: user.name ?? null,
          passwordHash: user.passwordHash,
          emailVerified: user.emailVerified ?? false,
          selfRegistered: user.selfRegistered ?? false,
          roles: [...(user.roles ?? [])],
        },
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new DuplicateUserError(String(error.meta?.target ?? error.message).includes('username') ? 'username' : 'email');
      }
      throw error;
    }
  }

  list(options: { take: number; skip: number }): Promise<User[]> {
    return this.prisma.user.findMany({ orderBy: { createdAt: 'asc' }, take: options.take, skip: options.skip });
  }

  async setStatus(id: string, status: UserStatus): Promise<User | null> {
    const { count } = await this.prisma.$transaction(async (tx) => {
      const changed = await tx.user.updateMany({ where: { id }, data: { status } });
      if (status !== 'active') await revokeEmailTokens(tx, id);
      return changed;
    });
    return count === 0 ? null : this.findById(id);
  }

  /**
   * Deletes self-registered accounts whose address was never verified, created before `before`;
   * returns their ids. Operator-created and pre-existing accounts are never touched.
   */
  async deleteUnverifiedBefore(before: Date): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(
      `DELETE FROM users WHERE self_registered AND email_verified = false AND created_at < $1 AND status = 'active' RETURNING id::text AS id`,
      [before],
    );
    return rows.map((r) => r.id);
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.prisma.user.updateMany({ where: { id }, data: { passwordHash } });
  }
}

async function revokeEmailTokens(tx: Tx, userId: string): Promise<void> {
  await tx.emailToken.updateMany({ where: { userId, consumedAt: null }, data: { consumedAt: new Date() } });
}

/** Writes that belong to a larger transaction (a token spent together with the change it allows). */
export const userWrites = {
  /** Marks the address verified, provided it is still the user's address. */
  async markVerified(tx: Tx, userId: string, email: string): Promise<boolean> {
    const { count } = await tx.user.updateMany({ where: { id: userId, emailLower: lower(email), status: 'active' }, data: { emailVerified: true } });
    return count === 1;
  },
  /** Moves the account to a new, verified address; false when another account holds it by now. */
  async changeEmail(tx: Tx, userId: string, email: string): Promise<boolean> {
    try {
      const { count } = await tx.user.updateMany({ where: { id: userId, status: 'active' }, data: { email, emailLower: lower(email), emailVerified: true } });
      // Links and codes sent to the old address (a reset, say) must not outlive the move.
      if (count === 1) await revokeEmailTokens(tx, userId);
      return count === 1;
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return false;
      throw error;
    }
  },
  /**
   * A new password also voids every emailed link and code still outstanding: a pending change of
   * email requested by whoever knew the old password must not complete after the owner took over.
   */
  async setPasswordHash(tx: Tx, userId: string, passwordHash: string): Promise<void> {
    await tx.user.updateMany({ where: { id: userId }, data: { passwordHash } });
    await revokeEmailTokens(tx, userId);
  },
};
