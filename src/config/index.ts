import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { envSchema } from './schema.js';

export class ConfigError extends Error {}

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly issuer: string;
  readonly secureCookies: boolean;
  readonly database: { readonly kind: 'pglite'; readonly dataDir: string | undefined } | { readonly kind: 'postgres'; readonly url: string };
  readonly dataDir: string;
  readonly redisUrl: string | undefined;
  readonly cookieKeys: readonly string[];
  readonly trustProxy: boolean;
  /** How many proxies append to X-Forwarded-For: the client address is taken that many entries from the right. */
  readonly trustProxyHops: number;
  readonly logLevel: string;
  readonly clientsFile: string;
  readonly keysDir: string;
  readonly argon2: { readonly memoryCost: number; readonly timeCost: number; readonly parallelism: number; readonly maxConcurrency: number };
  readonly ttl: {
    readonly accessToken: number;
    readonly idToken: number;
    readonly authorizationCode: number;
    readonly refreshTokenIdle: number;
    readonly refreshTokenAbsolute: number;
    readonly session: number;
    readonly sessionAbsolute: number;
    readonly interaction: number;
  };
  readonly refreshTokenReuseGraceSeconds: number;
  readonly purgeIntervalSeconds: number;
  readonly shutdownTimeoutSeconds: number;
  /** The demo relying party at /demo: on by default except in production. */
  readonly demoEnabled: boolean;
  /** Product name shown on pages and in emails. */
  readonly appName: string;
  readonly mail: {
    /** SMTP in production; in development without SMTP_URL, files a developer reads at /dev/mail. */
    readonly transport: { readonly kind: 'smtp'; readonly url: string } | { readonly kind: 'dev-outbox'; readonly dir: string };
    readonly from: string;
  };
  readonly requireEmailVerification: boolean;
  readonly unverifiedAccountTtlDays: number;
  readonly jobs: {
    readonly maxAttempts: number;
    readonly retryBaseMs: number;
    readonly outboxPollMs: number;
    /** Whether this process runs job workers (the default) or only writes jobs. */
    readonly runWorkers: boolean;
    /** BullMQ's key prefix in Redis. */
    readonly queuePrefix: string;
  };
  /** Environment values that clients.json may reference by name (client secrets). */
  readonly secrets: Readonly<Record<string, string>>;
  /** Things an operator should know about the defaults in use; logged once at start. */
  readonly warnings: readonly string[];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const name = issue.path.join('.') || 'environment';
  return `${name}: ${issue.message}`;
}

/** Reads development cookie keys from the data dir, creating them on first use. */
function developmentCookieKeys(dataDir: string): string[] {
  const file = path.join(dataDir, 'cookie-keys.json');
  try {
    const parsed = z.array(z.string().min(32)).min(1).parse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(`COOKIE_KEYS: ${file} is unreadable; delete it or set COOKIE_KEYS`);
    }
  }
  const keys = [randomBytes(32).toString('base64url')];
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600, flag: 'wx' });
  return keys;
}

export function loadConfig(source: Readonly<Record<string, string | undefined>>): Config {
  // An empty variable means "not set", as a shell user would expect from `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map(describeIssue).join('; '));
  }
  const e = result.data;
  const warnings: string[] = [];
  const dataDir = path.resolve(e.AUTHFLOW_DATA_DIR);

  if (e.NODE_ENV === 'production' && !e.COOKIE_KEYS) {
    throw new ConfigError('COOKIE_KEYS: required when NODE_ENV=production (comma-separated, each at least 32 characters)');
  }
  if (e.TTL_SESSION > e.TTL_SESSION_ABSOLUTE) {
    throw new ConfigError('TTL_SESSION: must not exceed TTL_SESSION_ABSOLUTE');
  }
  if (e.TTL_REFRESH_TOKEN_IDLE > e.TTL_REFRESH_TOKEN_ABSOLUTE) {
    throw new ConfigError('TTL_REFRESH_TOKEN_IDLE: must not exceed TTL_REFRESH_TOKEN_ABSOLUTE');
  }
  let cookieKeys = e.COOKIE_KEYS;
  if (!cookieKeys) {
    cookieKeys = developmentCookieKeys(dataDir);
    warnings.push(`COOKIE_KEYS is not set: using a development key kept in ${path.join(dataDir, 'cookie-keys.json')}`);
  }
  if (e.NODE_ENV === 'production' && e.ISSUER.startsWith('http://')) {
    warnings.push('ISSUER uses http:// in production; browsers will not send Secure cookies');
  }

  if (e.NODE_ENV === 'production' && !e.SMTP_URL) {
    throw new ConfigError('SMTP_URL: required when NODE_ENV=production (smtp:// or smtps:// with credentials)');
  }
  if (e.NODE_ENV === 'production' && !e.MAIL_FROM) {
    throw new ConfigError('MAIL_FROM: required when NODE_ENV=production, e.g. "Example <no-reply@example.com>"');
  }
  const mailOutboxDir = path.join(dataDir, 'mail');
  if (!e.SMTP_URL) warnings.push(`SMTP_URL is not set: emails are written to ${mailOutboxDir}; read them at ${e.ISSUER}/dev/mail`);

  const secrets = Object.fromEntries(
    Object.entries(present).filter((entry): entry is [string, string] => /_SECRET$/.test(entry[0]) && typeof entry[1] === 'string'),
  );

  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    issuer: e.ISSUER,
    secureCookies: e.ISSUER.startsWith('https://'),
    database: e.DATABASE_URL
      ? { kind: 'postgres' as const, url: e.DATABASE_URL }
      : { kind: 'pglite' as const, dataDir: path.join(dataDir, 'pglite') },
    dataDir,
    redisUrl: e.REDIS_URL,
    cookieKeys: Object.freeze([...cookieKeys]),
    trustProxy: e.TRUST_PROXY,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    logLevel: e.LOG_LEVEL,
    clientsFile: path.resolve(e.CLIENTS_FILE),
    keysDir: path.resolve(e.KEYS_DIR),
    argon2: {
      memoryCost: e.ARGON2_MEMORY_KIB,
      timeCost: e.ARGON2_ITERATIONS,
      parallelism: e.ARGON2_PARALLELISM,
      maxConcurrency: e.ARGON2_MAX_CONCURRENCY,
    },
    ttl: {
      accessToken: e.TTL_ACCESS_TOKEN,
      idToken: e.TTL_ID_TOKEN,
      authorizationCode: e.TTL_AUTHORIZATION_CODE,
      refreshTokenIdle: e.TTL_REFRESH_TOKEN_IDLE,
      refreshTokenAbsolute: e.TTL_REFRESH_TOKEN_ABSOLUTE,
      session: e.TTL_SESSION,
      sessionAbsolute: e.TTL_SESSION_ABSOLUTE,
      interaction: e.TTL_INTERACTION,
    },
    refreshTokenReuseGraceSeconds: e.REFRESH_TOKEN_REUSE_GRACE_SECONDS,
    purgeIntervalSeconds: e.PURGE_INTERVAL_SECONDS,
    shutdownTimeoutSeconds: e.SHUTDOWN_TIMEOUT_SECONDS,
    demoEnabled: e.DEMO_ENABLED ?? e.NODE_ENV !== 'production',
    appName: e.APP_NAME,
    mail: {
      transport: e.SMTP_URL ? { kind: 'smtp' as const, url: e.SMTP_URL } : { kind: 'dev-outbox' as const, dir: mailOutboxDir },
      from: e.MAIL_FROM ?? `${e.APP_NAME} <no-reply@${new URL(e.ISSUER).hostname}>`,
    },
    requireEmailVerification: e.REQUIRE_EMAIL_VERIFICATION,
    unverifiedAccountTtlDays: e.UNVERIFIED_ACCOUNT_TTL_DAYS,
    jobs: {
      maxAttempts: e.JOB_MAX_ATTEMPTS,
      retryBaseMs: e.JOB_RETRY_BASE_MS,
      outboxPollMs: e.OUTBOX_POLL_MS,
      runWorkers: e.RUN_WORKERS,
      queuePrefix: e.QUEUE_PREFIX,
    },
    secrets: Object.freeze(secrets),
    warnings,
  });
}
