import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as client from 'openid-client';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../../src/config/index.js';
import { createContainer, type Container } from '../../src/container.js';
import { listen, type RunningServer } from '../../src/server.js';
import { discover } from './oidc.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
export const WEB_APP_SECRET = 'web-app-secret-web-app-secret-web-app-secret';

export interface Harness {
  readonly issuer: string;
  readonly container: Container;
  readonly config: Config;
  /** Stops the server and closes the database, keeping its keys and data for a restart. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A real AuthFlow on 127.0.0.1: PostgreSQL when DATABASE_URL is set (the services run), otherwise a
 * fresh in-memory embedded database. Keys and cookie keys live in a temporary directory.
 */
export async function startAuthFlow(env: Record<string, string> = {}, logger: Logger = pino({ level: 'silent' })): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'authflow-test-'));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const loaded = loadConfig({
    NODE_ENV: 'test',
    ISSUER: issuer,
    PORT: String(port),
    AUTHFLOW_DATA_DIR: dir,
    KEYS_DIR: path.join(dir, 'keys'),
    CLIENTS_FILE: path.join(FIXTURES, 'clients.json'),
    WEB_APP_CLIENT_SECRET: WEB_APP_SECRET,
    // Cheap hashing keeps the suite fast; the production parameters are tested in the hasher's own test.
    ARGON2_MEMORY_KIB: '8192',
    ARGON2_ITERATIONS: '1',
    LOG_LEVEL: 'silent',
    // Flows that are not about verification sign in straight after registering; its own tests turn it on.
    REQUIRE_EMAIL_VERIFICATION: 'false',
    OUTBOX_POLL_MS: '200',
    ...(process.env.TEST_SMTP_URL ? { SMTP_URL: process.env.TEST_SMTP_URL } : {}),
    MAIL_FROM: 'AuthFlow <no-reply@example.test>',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    ...env,
  });
  const config: Config = loaded.database.kind === 'pglite' ? { ...loaded, database: { kind: 'pglite', dataDir: undefined } } : loaded;
  const container = await createContainer(config, logger);
  let running: RunningServer;
  try {
    running = await listen(container, port, '127.0.0.1');
  } catch (error) {
    await container.close();
    throw error;
  }
  return {
    issuer,
    container,
    config,
    stop: () => running.stop(),
    async close() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}@example.test`;
}

/**
 * One AuthFlow for a test file, started before its tests and stopped after them, with an
 * openid-client relying party already discovered for `clientId`.
 */
export function useAuthFlow(clientId = 'first-party', env: Record<string, string> = {}): { readonly af: Harness; readonly rp: client.Configuration } {
  let af: Harness | undefined;
  let rp: client.Configuration | undefined;
  beforeAll(async () => {
    af = await startAuthFlow(env);
    rp = await discover(af.issuer, clientId);
  });
  afterAll(() => af?.close());
  return {
    get af() {
      if (!af) throw new Error('AuthFlow is not started yet');
      return af;
    },
    get rp() {
      if (!rp) throw new Error('the relying party is not discovered yet');
      return rp;
    },
  };
}
