/**
 * Which SQL statements each benchmarked request costs AuthFlow, so a slow scenario can be traced
 * to its queries: `node --import tsx bench/sql-trace.ts`. Runs AuthFlow in this process on an
 * in-memory PGlite, counts what goes through PGlite while one request of each kind is made.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { loadConfig } from '../src/config/index.js';
import { createContainer } from '../src/container.js';
import { createLogger } from '../src/logger.js';
import { listen } from '../src/server.js';
import { startMailSink } from './mail-sink.js';
import { authorizationCodeFlow, clientCredentialsToken, CookieJar, SPA_CLIENT } from './http-flows.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
let trace: string[] | undefined;
// Every statement Prisma or the driver sends ends in one of these PGlite methods.
for (const method of ['query', 'exec'] as const) {
  const original = PGlite.prototype[method] as (this: PGlite, ...args: unknown[]) => Promise<unknown>;
  (PGlite.prototype as unknown as Record<string, unknown>)[method] = function (this: PGlite, ...args: unknown[]) {
    trace?.push(String(args[0]).replace(/\s+/g, ' ').replace(/"public"\."(\w+)"\./g, '').slice(0, 150));
    return original.apply(this, args);
  };
}

async function traced(label: string, fn: () => Promise<unknown>): Promise<void> {
  trace = [];
  await fn();
  await new Promise((resolve) => setTimeout(resolve, 50)); // fire-and-forget audit writes
  process.stdout.write(`\n${label}: ${trace.length} statements\n${trace.map((s) => `  ${s}`).join('\n')}\n`);
  trace = undefined;
}

const dir = mkdtempSync(path.join(tmpdir(), 'authflow-sqltrace-'));
const port = 40000 + Math.floor(Math.random() * 20000);
const issuer = `http://127.0.0.1:${port}`;
const mail = await startMailSink();
const loaded = loadConfig({
  SMTP_URL: mail.url, MAIL_FROM: 'AuthFlow Trace <no-reply@bench.test>',
  NODE_ENV: 'production', ISSUER: issuer, HOST: '127.0.0.1', PORT: String(port), AUTHFLOW_DATA_DIR: dir,
  KEYS_DIR: path.join(dir, 'keys'), CLIENTS_FILE: path.join(HERE, 'clients.json'), COOKIE_KEYS: randomBytes(32).toString('hex'), LOG_LEVEL: 'silent',
});
const config = loaded.database.kind === 'pglite' ? { ...loaded, database: { kind: 'pglite' as const, dataDir: undefined } } : loaded;
const container = await createContainer(config, createLogger('silent'));
const running = await listen(container, port, '127.0.0.1');
try {
  const account = { login: 'trace@example.test', password: 'trace correct horse battery staple' };
  await container.users.register({ email: account.login, password: account.password, emailVerified: true });
  const basic = `Basic ${Buffer.from('bench-service:bench-service-secret-bench-service-secret').toString('base64')}`;
  const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: basic };
  const jar = new CookieJar();
  let refresh = '';
  await traced('password login (5 requests: /auth, page, POST, resume, /token)', async () => {
    refresh = (await authorizationCodeFlow(issuer, jar, account)).refresh_token ?? '';
  });
  await traced('returning user: /auth → code → /token (how refresh tokens are minted)', () => authorizationCodeFlow(issuer, jar, account));
  let opaque = '';
  await traced('client credentials, opaque', async () => {
    opaque = await clientCredentialsToken(issuer, basic, 'https://opaque-api.bench.test/');
  });
  await traced('client credentials, JWT', () => clientCredentialsToken(issuer, basic, 'https://jwt-api.bench.test/'));
  await traced('introspection (no hint)', () => fetch(`${issuer}/token/introspection`, { method: 'POST', headers: form, body: `token=${opaque}` }).then((r) => r.text()));
  await traced('refresh', () =>
    fetch(`${issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=refresh_token&client_id=${SPA_CLIENT}&refresh_token=${refresh}` }).then((r) => r.text()),
  );
} finally {
  await running.stop();
  await mail.close();
  rmSync(dir, { recursive: true, force: true });
}
