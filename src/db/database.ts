import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { PrismaClient } from '../generated/prisma/client.js';
import { migrate, readMigrations, type MigrationReport } from './migrate.js';
import type { SqlDriver } from './sql.js';

export type { PrismaClient };
export { Prisma } from '../generated/prisma/client.js';

export type DatabaseTarget = { readonly kind: 'pglite'; readonly dataDir: string | undefined } | { readonly kind: 'postgres'; readonly url: string };

export interface Database {
  readonly prisma: PrismaClient;
  readonly sql: SqlDriver;
  readonly kind: DatabaseTarget['kind'];
  migrate(): Promise<MigrationReport>;
  /**
   * After a purge: on the embedded database, VACUUM, so that the space of deleted and updated rows
   * is used again. PGlite runs PostgreSQL in single-user mode, where autovacuum never runs, and
   * its files would otherwise grow with every token ever issued. PostgreSQL has autovacuum.
   */
  reclaimSpace(): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');

/** The only place that knows how to reach the database; everything above it sees a PrismaClient. */
export async function openDatabase(target: DatabaseTarget, migrationsDir = MIGRATIONS_DIR): Promise<Database> {
  let prisma: PrismaClient;
  let sql: SqlDriver;
  // Only the driver in use is loaded: the other one's modules would only take memory. One import
  // at a time: jest's ESM loader fails on concurrent imports that share a module.
  if (target.kind === 'postgres') {
    const { default: pg } = await import('pg');
    const { PrismaPg } = await import('@prisma/adapter-pg');
    const { postgresDriver } = await import('./postgres-driver.js');
    const pool = new pg.Pool({ connectionString: target.url, max: 10 });
    // An idle client that loses its connection must not crash the process.
    pool.on('error', () => undefined);
    prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    sql = postgresDriver(pool);
  } else {
    const { PrismaPGlite } = await import('pglite-prisma-adapter');
    const { openPglite, pgliteDriver } = await import('./pglite-driver.js');
    const { db, release } = await openPglite(target.dataDir);
    prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
    sql = pgliteDriver(db, release);
  }
  let closed = false;
  return {
    prisma,
    sql,
    kind: target.kind,
    migrate: () => migrate(sql, readMigrations(migrationsDir)),
    async reclaimSpace() {
      if (target.kind === 'pglite') await sql.query('VACUUM (ANALYZE)');
    },
    async ping() {
      try {
        await sql.withSession((s) => s.query('SELECT 1'));
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await sql.close();
    },
  };
}
