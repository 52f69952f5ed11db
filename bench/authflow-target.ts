import { product } from './product.js';
import type { BenchTarget, ServerOptions } from './protocol.js';

/**
 * AuthFlow exactly as `npm start` builds it (config → container → listen), configured the way it
 * is deployed: NODE_ENV=production (template cache on), production argon2 defaults, logs silent.
 */
export async function startAuthFlow(options: ServerOptions): Promise<BenchTarget> {
  const [{ loadConfig }, { createContainer }, { createLogger }, { listen }] = await Promise.all([product.config(), product.container(), product.logger(), product.server()]);
  const issuer = `http://127.0.0.1:${options.port}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    ISSUER: issuer,
    HOST: '127.0.0.1',
    PORT: String(options.port),
    AUTHFLOW_DATA_DIR: options.dataDir,
    KEYS_DIR: options.keysDir,
    CLIENTS_FILE: options.clientsFile,
    COOKIE_KEYS: options.cookieKey,
    LOG_LEVEL: 'silent',
    DATABASE_URL: options.databaseUrl,
    SMTP_URL: options.smtpUrl,
    MAIL_FROM: 'AuthFlow Bench <no-reply@bench.test>',
  });
  const container = await createContainer(config, createLogger(config.logLevel));
  const running = await listen(container, config.port, config.host);

  return {
    issuer,
    async createUsers(emails, password) {
      // Through the product's own registration rules and hasher, so the stored hashes are real.
      const results = await Promise.all(emails.map((email) => container.users.register({ email, password, emailVerified: true })));
      const failed = results.find((r) => !r.ok);
      if (failed) throw new Error(`could not create a benchmark user: ${JSON.stringify(failed)}`);
      return results.length;
    },
    async cleanup(emails, clientIds) {
      // A shared PostgreSQL outlives the run: remove what the benchmark wrote, and nothing else.
      return container.db.sql.withSession(async (s) => {
        const users = await s.query<{ id: string }>('SELECT id::text AS id FROM users WHERE email_lower = ANY($1::text[])', [emails.map((e) => e.toLowerCase())]);
        const ids = users.map((u) => u.id);
        const artifacts = await s.query<{ n: string }>(
          `WITH gone AS (DELETE FROM oidc_models WHERE account_id = ANY($1::text[]) OR payload->>'clientId' = ANY($2::text[])
             OR (model = 'Interaction' AND payload->'params'->>'client_id' = ANY($2::text[])) RETURNING 1) SELECT count(*)::text AS n FROM gone`,
          [ids, clientIds],
        );
        await s.query('DELETE FROM audit_events WHERE user_id = ANY($1::uuid[]) OR client_id = ANY($2::text[])', [ids, clientIds]);
        await s.query('DELETE FROM users WHERE id = ANY($1::uuid[])', [ids]);
        // A run leaves ~100k dead rows; where autovacuum is off (as on the CI machines) they would
        // pile up run after run, and every later run would measure a bloated table.
        await s.query('VACUUM (ANALYZE) oidc_models, users, audit_events, known_devices, outbox');
        return Number(artifacts[0]?.n ?? 0) + ids.length;
      });
    },
    stop: () => running.stop(),
  };
}
