/**
 * Raw SQL for what does not go through Prisma: migrations, health checks, and the OIDC artifact
 * store, which is on every token request's hot path. Works over the embedded PGlite or a
 * node-postgres pool alike.
 */
export interface SqlSession {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs several statements separated by semicolons (migration files). */
  exec(sql: string): Promise<void>;
}

export interface SqlDriver {
  /** One statement on any connection (no session state carried between calls). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs fn on one dedicated connection, so session-level locks hold across its statements. */
  withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Statements that can usefully run at once: 1 for PGlite's single connection, the pool size otherwise. */
  readonly parallelism: number;
  /**
   * True when this process is the database's only client (embedded PGlite, whose directory it has
   * locked): what it caches of its own writes cannot be changed behind its back.
   */
  readonly singleProcess: boolean;
}

/**
 * Whether a value from outside (a presented token, a typed login) can be in a text column at all:
 * PostgreSQL text cannot hold a NUL byte, so such a value names nothing stored, and sending it
 * would fail the statement (a 500) instead of finding nothing.
 */
export function storableText(value: string): boolean {
  return !value.includes('\u0000');
}

/**
 * A timestamp column as a Date. Both drivers return Dates; anything else is parsed, and what does
 * not parse counts as the distant past, so that it fails closed: an unreadable consumed_at means
 * consumed, an unreadable expires_at means expired.
 */
export function timestamp(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? new Date(0) : date;
}
