/**
 * Computes the SQL that takes a database built from prisma/migrations to the state schema.prisma
 * describes, without Prisma's schema-engine binary (it cannot be downloaded here): the engine's
 * WebAssembly build replays the migrations on an in-memory PGlite "shadow database" and diffs
 * the result against the datamodel.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { bindMigrationAwareSqlAdapterFactory, DriverAdapterError } from '@prisma/driver-adapter-utils';
import * as engineModule from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { PrismaPGlite } from 'pglite-prisma-adapter';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface MigrationDiffOptions {
  /** Defaults to prisma/schema.prisma of this project. */
  readonly schemaPath?: string;
  /** Use this text instead of reading schemaPath (tests, previews). */
  readonly schemaContent?: string;
  /** Defaults to prisma/migrations of this project. */
  readonly migrationsDir?: string;
}

// lib ES2023 without DOM declares no WebAssembly global, although Node has it; describe the one call used.
interface WasmRuntime {
  instantiate(bytes: Uint8Array, imports: Record<string, object>): Promise<{ instance: { exports: object } }>;
}
const wasmRuntime = (globalThis as unknown as { WebAssembly: WasmRuntime }).WebAssembly;

// The package's own entry point imports the .wasm file as an ES module, which Node 20 and jest's
// VM modules cannot load; instantiating it by hand works everywhere. Once per module registry.
let engineReady: Promise<void> | undefined;
function loadEngine(): Promise<void> {
  engineReady ??= (async () => {
    const glue = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = readFileSync(path.join(path.dirname(glue), 'schema_engine_bg.wasm'));
    const { instance } = await wasmRuntime.instantiate(bytes, { './schema_engine_bg.js': engineModule });
    engineModule.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
  })();
  return engineReady;
}

/**
 * pglite-prisma-adapter 0.7.2 neither awaits executeScript nor reports its errors (a broken
 * migration would surface as an unhandled rejection while the diff went on against a half-built
 * shadow database), and its connectToShadowDb opens a PGlite nobody closes. This factory fixes
 * both and serves the one throwaway database as main and shadow: the engine only writes to it.
 */
function throwawayAdapterFactory(db: PGlite) {
  const inner = new PrismaPGlite(db);
  const connect = async () => {
    const adapter = await inner.connect();
    adapter.executeScript = async (script: string) => {
      try {
        await db.exec(script);
      } catch (error) {
        const e = error as { message: string; code?: string; severity?: string; detail?: string; hint?: string; column?: string };
        // The engine only sees the payload of a DriverAdapterError; anything else becomes "External error id#0".
        throw new DriverAdapterError({
          kind: 'postgres',
          code: e.code ?? 'XX000',
          severity: e.severity ?? 'ERROR',
          message: e.message,
          detail: e.detail,
          column: e.column,
          hint: e.hint,
        });
      }
    };
    return adapter;
  };
  return { provider: 'postgres' as const, adapterName: inner.adapterName, connect, connectToShadowDb: connect };
}

function readMigrationList(migrationsDir: string): MigrationList {
  const names = existsSync(migrationsDir)
    ? readdirSync(migrationsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()
    : [];
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  return {
    baseDir: migrationsDir,
    // The engine refuses a migrations source without a provider; AuthFlow's runner needs no lock file.
    lockfile: {
      path: 'migration_lock.toml',
      content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : 'provider = "postgresql"\n',
    },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => {
      const file = path.join(migrationsDir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: existsSync(file)
            ? { tag: 'ok' as const, value: readFileSync(file, 'utf8') }
            : { tag: 'error' as const, value: `${file} does not exist` },
        },
      };
    }),
  };
}

/**
 * Returns the SQL that brings a database migrated with every checked-in migration to
 * schema.prisma, or '' when they agree.
 */
export async function diffMigrationsToSchema(options: MigrationDiffOptions = {}): Promise<string> {
  const schemaPath = options.schemaPath ?? path.join(projectRoot, 'prisma', 'schema.prisma');
  const migrationsDir = options.migrationsDir ?? path.join(projectRoot, 'prisma', 'migrations');
  const schema = options.schemaContent ?? readFileSync(schemaPath, 'utf8');
  const schemaFile = { path: path.basename(schemaPath), content: schema };

  await loadEngine();
  const db = new PGlite();
  let engine: SchemaEngine | undefined;
  try {
    const adapter = bindMigrationAwareSqlAdapterFactory(throwawayAdapterFactory(db));
    engine = await engineModule.SchemaEngine.new({ datamodels: [[schemaFile.path, schema]] }, () => {}, adapter);
    const result = await engine.diff({
      from: { tag: 'migrations', ...readMigrationList(migrationsDir) },
      to: { tag: 'schemaDatamodel', files: [schemaFile] },
      script: true,
      // With exitCode set the engine answers 2 for a non-empty diff; in sync it still prints an
      // "empty migration" comment, which must not count as a change.
      exitCode: true,
      filters: { externalTables: [], externalEnums: [] },
    });
    if (result.exitCode === 0) return '';
    if (result.exitCode === 2 && result.stdout) return result.stdout;
    throw new Error(`schema engine diff answered exit code ${result.exitCode}: ${result.stdout ?? ''}`);
  } finally {
    engine?.free();
    await db.close();
  }
}
