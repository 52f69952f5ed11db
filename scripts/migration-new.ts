/**
 * npm run migration:new -- <name>
 *
 * Writes prisma/migrations/<NNNN>_<name>/migration.sql with the SQL that takes the checked-in
 * migrations to schema.prisma. Stands in for `prisma migrate dev --create-only`, whose engine
 * binary cannot be installed here. The file is reviewed and committed like code; applying it is
 * the job of AuthFlow's own runner (src/db/migrate.ts).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffMigrationsToSchema } from './migration-diff.js';

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'prisma', 'migrations');

function nextNumber(): string {
  const taken = readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => /^(\d+)_/.exec(entry.name)?.[1])
    .filter((digits): digits is string => digits !== undefined)
    .map(Number);
  return String(Math.max(0, ...taken) + 1).padStart(4, '0');
}

async function main(): Promise<number> {
  const name = process.argv[2];
  // The runner applies migrations in name order and folder names end up in every database's
  // history table, so keep them plain.
  if (!name || !/^[a-z0-9]+(?:_[a-z0-9]+)*$/.test(name)) {
    console.error('usage: npm run migration:new -- <name>   (lower-case letters, digits and underscores)');
    return 2;
  }
  mkdirSync(migrationsDir, { recursive: true });
  const sql = await diffMigrationsToSchema({ migrationsDir });
  if (sql === '') {
    console.log('schema and migrations agree; no migration written');
    return 0;
  }
  const folder = path.join(migrationsDir, `${nextNumber()}_${name}`);
  mkdirSync(folder);
  writeFileSync(path.join(folder, 'migration.sql'), sql);
  console.log(`wrote ${path.relative(process.cwd(), path.join(folder, 'migration.sql'))}; review it before committing`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
