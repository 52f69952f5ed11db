import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SqlDriver } from './sql.js';

export interface Migration {
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export interface MigrationReport {
  readonly applied: string[];
  readonly alreadyApplied: number;
}

// Any constant shared by every AuthFlow process; it only has to differ from other apps' locks.
const MIGRATION_LOCK_ID = 0x41757468;

export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Applies pending migrations in name order, each in its own transaction, under an advisory lock so
 * that processes starting together apply each migration exactly once. A migration whose file
 * changed after it was applied stops the run: editing history must be a deliberate act.
 */
export async function migrate(driver: SqlDriver, migrations: readonly Migration[]): Promise<MigrationReport> {
  return driver.withSession(async (db) => {
    await db.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      await db.exec(`CREATE TABLE IF NOT EXISTS "_authflow_migrations" (
        "name" TEXT PRIMARY KEY,
        "checksum" TEXT NOT NULL,
        "applied_at" TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
      const rows = await db.query<{ name: string; checksum: string }>('SELECT name, checksum FROM "_authflow_migrations"');
      const done = new Map(rows.map((row) => [row.name, row.checksum]));
      const applied: string[] = [];
      for (const migration of migrations) {
        const checksum = done.get(migration.name);
        if (checksum !== undefined) {
          if (checksum !== migration.checksum) {
            throw new Error(`migration ${migration.name} was changed after it was applied`);
          }
          continue;
        }
        await db.exec('BEGIN');
        try {
          await db.exec(migration.sql);
          await db.query('INSERT INTO "_authflow_migrations" (name, checksum) VALUES ($1, $2)', [migration.name, migration.checksum]);
          await db.exec('COMMIT');
        } catch (error) {
          await db.exec('ROLLBACK');
          throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`);
        }
        applied.push(migration.name);
      }
      return { applied, alreadyApplied: migrations.length - applied.length };
    } finally {
      await db.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  });
}
