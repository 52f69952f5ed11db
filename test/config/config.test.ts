import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'authflow-config-'));

describe('configuration from the environment', () => {
  test('defaults: port 3000, localhost issuer, embedded database under ./data', () => {
    const dir = dataDir();
    const config = loadConfig({ AUTHFLOW_DATA_DIR: dir });
    expect(config.port).toBe(3000);
    expect(config.issuer).toBe('http://localhost:3000');
    expect(config.database).toEqual({ kind: 'pglite', dataDir: path.join(dir, 'pglite') });
    expect(config.ttl).toMatchObject({ accessToken: 3600, idToken: 3600, authorizationCode: 60, refreshTokenIdle: 604800, refreshTokenAbsolute: 2592000 });
    expect(config.argon2).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
  });

  test('development cookie keys are generated once, kept private and reused, with a warning', () => {
    const dir = dataDir();
    const first = loadConfig({ AUTHFLOW_DATA_DIR: dir });
    expect(first.warnings.join(' ')).toContain('COOKIE_KEYS');
    const second = loadConfig({ AUTHFLOW_DATA_DIR: dir });
    expect(second.cookieKeys).toEqual(first.cookieKeys);
    expect(statSync(path.join(dir, 'cookie-keys.json')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path.join(dir, 'cookie-keys.json'), 'utf8'))).toEqual([...first.cookieKeys]);
  });

  test('DATABASE_URL selects PostgreSQL', () => {
    expect(loadConfig({ AUTHFLOW_DATA_DIR: dataDir(), DATABASE_URL: 'postgresql://u@db:5432/x' }).database).toEqual({ kind: 'postgres', url: 'postgresql://u@db:5432/x' });
  });

  test.each([
    [{ PORT: 'abc' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: /],
    [{ ISSUER: 'not a url' }, /^ISSUER: /],
    [{ ISSUER: 'http://localhost:3000/' }, /^ISSUER: must not end with a slash/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: must be a postgresql:\/\/ URL/],
    [{ REDIS_URL: 'http://x' }, /^REDIS_URL: /],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    [{ TRUST_PROXY: 'maybe' }, /^TRUST_PROXY: /],
    [{ COOKIE_KEYS: 'short' }, /^COOKIE_KEYS/],
    [{ NODE_ENV: 'production' }, /^COOKIE_KEYS: required when NODE_ENV=production/],
    [{ NODE_ENV: 'production', COOKIE_KEYS: 'k'.repeat(32) }, /^SMTP_URL: required when NODE_ENV=production/],
    [{ NODE_ENV: 'production', COOKIE_KEYS: 'k'.repeat(32), SMTP_URL: 'smtp://mail.example.com' }, /^MAIL_FROM: required when NODE_ENV=production/],
    [{ SMTP_URL: 'http://mail.example.com' }, /^SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/],
    [{ UNVERIFIED_ACCOUNT_TTL_DAYS: '0' }, /^UNVERIFIED_ACCOUNT_TTL_DAYS: /],
    [{ REQUIRE_EMAIL_VERIFICATION: 'perhaps' }, /^REQUIRE_EMAIL_VERIFICATION: /],
  ])('%j is refused with one line naming the variable', (env, message) => {
    let error: unknown;
    try {
      loadConfig({ AUTHFLOW_DATA_DIR: dataDir(), ...env });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  test('production with COOKIE_KEYS starts without a development key file', () => {
    const dir = dataDir();
    const config = loadConfig({
      AUTHFLOW_DATA_DIR: dir, NODE_ENV: 'production', COOKIE_KEYS: `${'a'.repeat(32)},${'b'.repeat(40)}`, ISSUER: 'https://id.example.com',
      SMTP_URL: 'smtps://user:pass@mail.example.com', MAIL_FROM: 'Example <no-reply@example.com>',
    });
    expect(config.cookieKeys).toHaveLength(2);
    expect(config.mail).toEqual({ transport: { kind: 'smtp', url: 'smtps://user:pass@mail.example.com' }, from: 'Example <no-reply@example.com>' });
    expect(config.secureCookies).toBe(true);
    expect(config.warnings).toEqual([]);
  });
});
