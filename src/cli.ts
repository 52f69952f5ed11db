import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig } from './config/index.js';
import { openCore } from './container.js';
import type { OutboxJob } from './db/outbox-repository.js';
import { createLogger } from './logger.js';
import { rotateSigningKeys } from './oidc/keys.js';

const USAGE = `usage: npm run cli -- <command>
  migrate                                   apply pending database migrations
  keys rotate                               add a new signing key of each algorithm, keep the old ones published
  users create --email E --password P [--name N] [--username U] [--verified] [--role R]...
  users list [--limit N] [--offset N]
  users disable --email E | users enable --email E
  mail failed                               list emails (and other jobs) that failed for good
  mail retry ID                             send a failed one again, with a fresh set of attempts`;

class UsageError extends Error {}

/** One line per failed job: id, when, what, to whom, why. Never the payload's links or codes. */
function describeJob(job: OutboxJob): string {
  const target = z.object({ template: z.string(), to: z.string() }).safeParse(job.payload);
  const email = z.object({ email: z.string() }).safeParse(job.payload);
  const what = target.success ? `${job.name}:${target.data.template}\tto ${target.data.to}` : `${job.name}\t${email.success ? `for ${email.data.email}` : '-'}`;
  return [job.id, job.createdAt.toISOString(), what, `${job.attempts} attempts`, job.lastError ?? '-'].join('\t');
}

const createArgs = z.object({
  email: z.string().trim().max(254).pipe(z.email()),
  password: z.string().min(1),
  name: z.string().max(100).optional(),
  username: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$/, 'must be 3-32 letters, digits, . _ -').optional(),
  verified: z.boolean().default(false),
  role: z.array(z.string().regex(/^[a-z][a-z0-9:_-]{0,63}$/, 'roles are lower-case names such as admin')).default([]),
});

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      username: { type: 'string' },
      verified: { type: 'boolean' },
      role: { type: 'string', multiple: true },
      limit: { type: 'string' },
      offset: { type: 'string' },
    },
  });
}

async function run(argv: string[]): Promise<string> {
  const { values, positionals } = parse(argv);
  const command = positionals.join(' ');
  const config = loadConfig(process.env);
  if (command === 'keys rotate') {
    const { added, kept } = await rotateSigningKeys(config.keysDir);
    return `added keys ${added.join(', ')}; still published: ${kept.join(', ') || 'none'}\nrestart AuthFlow to sign with the new keys`;
  }
  const retry = /^mail retry (\d{1,19})$/.exec(command);
  if (!['migrate', 'users create', 'users list', 'users disable', 'users enable', 'mail failed'].includes(command) && !retry) throw new UsageError(USAGE);
  const core = await openCore(config, createLogger('warn'));
  try {
    if (command === 'migrate') return 'database is up to date';
    if (command === 'mail failed') {
      const failed = await core.outboxRepository.listFailed();
      return failed.map(describeJob).join('\n') || 'no failed jobs';
    }
    if (retry?.[1]) {
      if (!(await core.outboxRepository.retry(retry[1]))) throw new UsageError(`no failed job ${retry[1]}`);
      return `job ${retry[1]} is queued again; a running AuthFlow or worker sends it within seconds`;
    }
    if (command === 'users list') {
      const page = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), offset: z.coerce.number().int().min(0).default(0) }).parse(values);
      const users = await core.users.list({ take: page.limit, skip: page.offset });
      return users.map((u) => [u.id, u.email, u.username ?? '-', u.status, u.emailVerified ? 'verified' : 'unverified', u.roles.join(',') || '-'].join('\t')).join('\n') || 'no users';
    }
    if (command === 'users disable' || command === 'users enable') {
      const { email } = z.object({ email: z.string().min(1) }).parse(values);
      const user = await core.users.findByLogin(email);
      if (!user) throw new UsageError(`no user ${email}`);
      await core.users.setStatus(user.id, command === 'users disable' ? 'disabled' : 'active');
      return `${command === 'users disable' ? 'disabled' : 'enabled'} ${user.email}`;
    }
    const input = createArgs.parse(values);
    const result = await core.users.register({ ...input, emailVerified: input.verified, roles: input.role });
    if (!result.ok) {
      throw new UsageError(result.reason === 'taken' ? `a user with this ${result.field} exists` : `password rejected: ${result.problem.replaceAll('_', ' ')}`);
    }
    return `created user ${result.user.id} <${result.user.email}>`;
  } finally {
    await core.audit.flush();
    await core.db.close();
  }
}

run(process.argv.slice(2)).then(
  (output) => {
    process.stdout.write(`${output}\n`);
  },
  (error: unknown) => {
    if (error instanceof z.ZodError) {
      process.stderr.write(`authflow: ${error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
    } else if (error instanceof UsageError || error instanceof ConfigError || (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`authflow: ${error.message}\n`);
    } else {
      process.stderr.write(`authflow: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exitCode = 1;
  },
);
