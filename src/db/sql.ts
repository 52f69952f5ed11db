/**
 * The few raw-SQL operations AuthFlow needs outside Prisma (migrations, health checks),
 * over either the embedded PGlite or a node-postgres pool.
 */
export interface SqlSession {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs several statements separated by semicolons (migration files). */
  exec(sql: string): Promise<void>;
}

export interface SqlDriver {
  /** Runs fn on one dedicated connection, so session-level locks hold across its statements. */
  withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
