import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { pgliteDriver } from '../../src/db/pglite-driver.js';
import { postgresDriver } from '../../src/db/postgres-driver.js';
import { migrate, readMigrations, type Migration } from '../../src/db/migrate.js';
import type { SqlDriver } from '../../src/db/sql.js';

const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');
const migrations = readMigrations(MIGRATIONS_DIR);
const names = migrations.map((m) => m.name);

async function recorded(driver: SqlDriver): Promise<{ name: string; checksum: string }[]> {
  return driver.withSession((s) => s.query<{ name: string; checksum: string }>('SELECT name, checksum FROM "_authflow_migrations" ORDER BY name'));
}

async function tableExists(driver: SqlDriver, table: string): Promise<boolean> {
  const [row] = await driver.withSession((s) => s.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [`public.${table}`]));
  return row?.found === true;
}

describe('migrate on PGlite', () => {
  // One database for the file: booting PGlite costs seconds, and the cases below build on each other.
  let driver: SqlDriver;
  let editedDir: string;

  beforeAll(async () => {
    const db = new PGlite();
    await db.waitReady;
    driver = pgliteDriver(db);
    editedDir = mkdtempSync(path.join(tmpdir(), 'authflow-migrations-'));
  });
  afterAll(async () => {
    await driver.close();
    rmSync(editedDir, { recursive: true, force: true });
  });

  it('finds the checked-in migrations', () => {
    expect(names).toContain('0001_init');
    expect(names).toEqual([...names].sort());
  });

  it('applies every migration to a fresh database and records each with its checksum', async () => {
    const report = await migrate(driver, migrations);
    expect(report).toEqual({ applied: names, alreadyApplied: 0 });
    for (const table of ['users', 'oidc_models', 'audit_events']) {
      expect(await tableExists(driver, table)).toBe(true);
    }
    expect(await recorded(driver)).toEqual(migrations.map(({ name, checksum }) => ({ name, checksum })));
  });

  it('applies nothing the second time', async () => {
    const before = await recorded(driver);
    expect(await migrate(driver, migrations)).toEqual({ applied: [], alreadyApplied: migrations.length });
    expect(await recorded(driver)).toEqual(before);
  });

  it('refuses to run when an applied migration file was edited', async () => {
    cpSync(MIGRATIONS_DIR, editedDir, { recursive: true });
    appendFileSync(path.join(editedDir, '0001_init', 'migration.sql'), '\n-- edited after the fact\n');
    const edited = readMigrations(editedDir);
    expect(edited[0]?.checksum).not.toBe(migrations[0]?.checksum);

    await expect(migrate(driver, edited)).rejects.toThrow('migration 0001_init was changed after it was applied');
    expect(await recorded(driver)).toEqual(migrations.map(({ name, checksum }) => ({ name, checksum })));
  });

  it('rolls back a failing migration: its table is not created and it is not recorded', async () => {
    const broken: Migration = {
      name: '9999_broken',
      // The first statement succeeds, so only a real rollback removes its table.
      sql: 'CREATE TABLE "rollback_probe" (id INT);\nINSERT INTO "no_such_table" VALUES (1);',
      checksum: 'not-checked-here',
    };
    await expect(migrate(driver, [...migrations, broken])).rejects.toThrow(/migration 9999_broken failed: .*no_such_table/);
    expect(await tableExists(driver, 'rollback_probe')).toBe(false);
    expect((await recorded(driver)).map((r) => r.name)).toEqual(names);

    // The failure must leave the session usable: no open transaction, lock released.
    expect(await migrate(driver, migrations)).toEqual({ applied: [], alreadyApplied: migrations.length });
  });
});

// Only defined where a PostgreSQL server is configured; PGlite has one connection and cannot race.
const databaseUrl = process.env.DATABASE_URL;
if (databaseUrl) {
  describe('migrate on PostgreSQL', () => {
    const dbName = `authflow_migrate_test_${randomBytes(6).toString('hex')}`;
    const adminUrl = new URL(databaseUrl);
    adminUrl.pathname = '/postgres';
    const testUrl = new URL(databaseUrl);
    testUrl.pathname = `/${dbName}`;
    let admin: pg.Client;
    const pools: pg.Pool[] = [];
    const openPool = (): pg.Pool => {
      const pool = new pg.Pool({ connectionString: testUrl.toString() });
      // pool.end() resolves before its sockets close, so DROP DATABASE ... WITH (FORCE) may still
      // terminate a closing client; without a listener that expected error would crash the run.
      pool.on('error', () => undefined);
      pools.push(pool);
      return pool;
    };

    beforeAll(async () => {
      admin = new pg.Client({ connectionString: adminUrl.toString() });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${dbName}"`);
    });
    afterAll(async () => {
      await Promise.all(pools.map((pool) => pool.end()));
      await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await admin.end();
    });

    it('lets two runners started together both succeed, applying each migration once', async () => {
      // A slow extra migration keeps the first runner inside the lock while the second arrives.
      const slow: Migration = { name: '9999_slow', sql: 'SELECT pg_sleep(0.5); CREATE TABLE "slow_probe" (id INT);', checksum: 'slow' };
      const all = [...migrations, slow];
      const [a, b] = [openPool(), openPool()];

      const reports = await Promise.all([migrate(postgresDriver(a), all), migrate(postgresDriver(b), all)]);

      const appliedTwice = reports.flatMap((r) => r.applied).sort();
      expect(appliedTwice).toEqual(all.map((m) => m.name).sort());
      expect(reports.map((r) => r.alreadyApplied).sort()).toEqual([0, all.length]);
      const rows = await a.query<{ name: string; n: string }>('SELECT name, count(*) AS n FROM "_authflow_migrations" GROUP BY name ORDER BY name');
      expect(rows.rows).toEqual(all.map((m) => ({ name: m.name, n: '1' })));
    });
  });
}
