import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffMigrationsToSchema } from '../../scripts/migration-diff.js';

// Each diff replays the migrations on a new PGlite through the schema engine's WebAssembly build.
const DIFF_TIMEOUT = 60_000;
const schemaPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/schema.prisma');

describe('schema.prisma and prisma/migrations', () => {
  it(
    'agree: when this fails, run `npm run migration:new -- <name>` and commit the migration it writes',
    async () => {
      expect(await diffMigrationsToSchema()).toBe('');
    },
    DIFF_TIMEOUT,
  );

  // The engine's API is unofficial: should an upgrade make diff answer '' for everything, the
  // test above would pass forever. A schema with one more column must produce SQL.
  it(
    'disagree when the schema gains a column the migrations lack',
    async () => {
      const schema = readFileSync(schemaPath, 'utf8');
      const widened = schema.replace(/^(model User \{\n)/m, '$1  driftProbe String?\n');
      expect(widened).not.toBe(schema);
      const sql = await diffMigrationsToSchema({ schemaPath, schemaContent: widened });
      expect(sql).toMatch(/ALTER TABLE "users" ADD COLUMN\s+"driftProbe" TEXT/);
    },
    DIFF_TIMEOUT,
  );

  describe('with a broken migration', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'authflow-drift-'));
      mkdirSync(path.join(dir, '0001_broken'));
      writeFileSync(path.join(dir, '0001_broken', 'migration.sql'), 'CREATE TABLE "oops" (;\n');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    // The PGlite adapter used to drop script errors on the floor; the diff must stop instead.
    it(
      'reports the database error rather than diffing a half-built database',
      async () => {
        await expect(diffMigrationsToSchema({ migrationsDir: dir })).rejects.toThrow(/0001_broken[\s\S]*syntax error/);
      },
      DIFF_TIMEOUT,
    );
  });
});
