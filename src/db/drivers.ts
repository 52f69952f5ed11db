import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { SqlDriver, SqlSession } from './sql.js';

export function pgliteDriver(db: PGlite): SqlDriver {
  const session: SqlSession = {
    async query<T>(sql: string, params: unknown[] = []) {
      const result = await db.query(sql, params);
      return result.rows as T[];
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
  };
  return {
    query: session.query,
    // PGlite has exactly one connection; its own queue already serialises callers.
    withSession: (fn) => fn(session),
    close: () => db.close(),
    parallelism: 1,
  };
}

export async function openPglite(dataDir: string | undefined): Promise<PGlite> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // PostgreSQL's default 128 MB of shared buffers is sized for a server, not an embedded store.
  const db = new PGlite(dataDir, { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'] });
  await db.waitReady;
  return db;
}

export function postgresDriver(pool: pg.Pool): SqlDriver {
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      const result = await pool.query(sql, params);
      return result.rows as T[];
    },
    async withSession(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          async query<T>(sql: string, params: unknown[] = []) {
            const result = await client.query(sql, params);
            return result.rows as T[];
          },
          async exec(sql: string) {
            await client.query(sql);
          },
        });
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
    parallelism: pool.options.max ?? 10,
  };
}
