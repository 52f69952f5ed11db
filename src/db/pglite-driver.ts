import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { SqlDriver, SqlSession } from './sql.js';
import { lockDataDir } from './data-dir-lock.js';

export function pgliteDriver(db: PGlite, release: () => void = () => undefined): SqlDriver {
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
    close: async () => {
      try {
        await db.close();
      } finally {
        release();
      }
    },
    parallelism: 1,
    singleProcess: true,
  };
}

/** Opens (creating it if needed) an embedded database; the returned release ends the directory lock. */
export async function openPglite(dataDir: string | undefined): Promise<{ db: PGlite; release: () => void }> {
  let release = () => undefined as void;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    release = lockDataDir(dataDir);
  }
  try {
    // PostgreSQL's default 128 MB of shared buffers is sized for a server, not an embedded store.
    const db = new PGlite(dataDir, { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'] });
    await db.waitReady;
    return { db, release };
  } catch (error) {
    release();
    throw error;
  }
}
