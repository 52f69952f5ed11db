import { availableParallelism } from 'node:os';
import { z } from 'zod';

const seconds = (fallback: number) => z.coerce.number().int().positive().max(400 * 24 * 3600).default(fallback);

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every environment variable AuthFlow reads. Anything else in the environment is ignored. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  ISSUER: z
    .url({ protocol: /^https?$/ })
    .refine((u) => !u.endsWith('/'), 'must not end with a slash')
    .refine((u) => !/[?#]/.test(u), 'must not contain a query or fragment')
    .default('http://localhost:3000'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL (leave it unset for the embedded database)')
    .optional(),
  AUTHFLOW_DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  COOKIE_KEYS: z
    .string()
    .transform((s) => s.split(',').map((k) => k.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(32, 'each key must be at least 32 characters')).min(1))
    .optional(),
  TRUST_PROXY: booleanFlag.default(false),
  TRUST_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CLIENTS_FILE: z.string().min(1).default('./clients.json'),
  KEYS_DIR: z.string().min(1).default('./keys'),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(8192).max(1048576).default(19456),
  ARGON2_ITERATIONS: z.coerce.number().int().min(1).max(10).default(2),
  ARGON2_PARALLELISM: z.coerce.number().int().min(1).max(16).default(1),
  // More hashes at once than cores adds ARGON2_MEMORY_KIB of memory each and no throughput.
  ARGON2_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(Math.min(4, availableParallelism())),
  TTL_ACCESS_TOKEN: seconds(3600),
  TTL_ID_TOKEN: seconds(3600),
  TTL_AUTHORIZATION_CODE: z.coerce.number().int().min(10).max(600).default(60),
  TTL_REFRESH_TOKEN_IDLE: seconds(7 * 24 * 3600),
  TTL_REFRESH_TOKEN_ABSOLUTE: seconds(30 * 24 * 3600),
  TTL_SESSION: seconds(14 * 24 * 3600),
  TTL_SESSION_ABSOLUTE: seconds(30 * 24 * 3600),
  TTL_INTERACTION: seconds(3600),
  REFRESH_TOKEN_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(5).default(2),
  PURGE_INTERVAL_SECONDS: z.coerce.number().int().min(10).max(86400).default(3600),
  DEMO_ENABLED: booleanFlag.optional(),
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
  APP_NAME: z.string().min(1).max(60).default('AuthFlow'),
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL, e.g. smtps://user:pass@smtp.example.com' })
    .optional(),
  MAIL_FROM: z.string().min(3).max(200).optional(),
  REQUIRE_EMAIL_VERIFICATION: booleanFlag.default(true),
  UNVERIFIED_ACCOUNT_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  // Retries of a failed job (a send): delays double from the base, 8 attempts span about an hour.
  JOB_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
  JOB_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  // Off for web processes when `npm run worker` runs the jobs in a deployment of its own.
  RUN_WORKERS: booleanFlag.default(true),
  QUEUE_PREFIX: z.string().regex(/^[a-z0-9_-]{1,40}$/).default('authflow'),
  OUTBOX_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
});

export type Env = z.infer<typeof envSchema>;
