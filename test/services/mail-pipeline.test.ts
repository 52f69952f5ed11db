import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Browser } from '../helpers/browser.js';
import { FIXTURES, freePort, startAuthFlow, uniqueEmail, type Harness } from '../helpers/harness.js';
import { mailsTo, rejectionsFor, waitForMail } from '../helpers/mail.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { discover, register, startAuthorization } from '../helpers/oidc.js';
import { OutboxRepository } from '../../src/db/outbox-repository.js';
import { startInProcessRunner } from '../../src/services/jobs/in-process-runner.js';
import { mailJobHandler } from '../../src/services/mail/deliver-mail.js';
import { smtpTransport } from '../../src/services/mail/transport.js';

const ROOT = path.resolve(FIXTURES, '../..');
const PASSWORD = 'correct horse battery staple';
const smtpUrl = () => {
  const url = process.env.TEST_SMTP_URL;
  if (!url) throw new Error('TEST_SMTP_URL is not set (jest globalSetup)');
  return url;
};

async function registerAt(issuer: string, email: string): Promise<void> {
  const rp = await discover(issuer, 'first-party');
  const browser = new Browser(issuer);
  const auth = await startAuthorization(rp);
  const loginPage = await browser.follow(auth.url.toString());
  const page = await browser.follow(await register(browser, loginPage, { email, password: PASSWORD }));
  expect(page.url).toContain('/verify');
}

function processEnv(dir: string, port: number, extra: Record<string, string>): NodeJS.ProcessEnv {
  const { PATH, HOME, DATABASE_URL, REDIS_URL } = process.env;
  return {
    PATH, HOME, NODE_ENV: 'test', PORT: String(port), ISSUER: `http://127.0.0.1:${port}`, AUTHFLOW_DATA_DIR: dir,
    KEYS_DIR: path.join(dir, 'keys'), CLIENTS_FILE: path.join(FIXTURES, 'clients.json'), WEB_APP_CLIENT_SECRET: 'web-app-secret-web-app-secret-web-app-secret',
    ARGON2_MEMORY_KIB: '8192', ARGON2_ITERATIONS: '1', SMTP_URL: smtpUrl(), OUTBOX_POLL_MS: '200', LOG_LEVEL: 'warn',
    ...(DATABASE_URL ? { DATABASE_URL } : {}),
    ...(REDIS_URL ? { REDIS_URL } : {}),
    ...extra,
  };
}

/** AuthFlow (src/main.ts) or the worker (src/worker.ts) as its own process, so that it can be killed without any cleanup. */
function startProcess(dir: string, port: number, extra: Record<string, string>, entry = 'src/main.ts', ready = 'AuthFlow is running at'): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: processEnv(dir, port, extra) });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`AuthFlow exited (${code}) before it was ready:\n${output}`)));
  });
}

describe('the mail pipeline', () => {
  test('an email whose registration committed is delivered once, even when the process is killed before sending it; `npm run worker` sends it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authflow-durable-'));
    const port = await freePort();
    const email = uniqueEmail('durable');
    // Workers off: the registration and its outbox row commit, and nothing sends it before the kill.
    const first = await startProcess(dir, port, { RUN_WORKERS: 'false' });
    try {
      await registerAt(`http://127.0.0.1:${port}`, email);
    } finally {
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
    }
    expect(await mailsTo(email)).toHaveLength(0);
    // The worker alone (a separate deployment's job process) finds the committed job and sends it.
    const second = await startProcess(dir, port, { LOG_LEVEL: 'info' }, 'src/worker.ts', 'AuthFlow worker is running');
    try {
      await waitForMail(email, { timeoutMs: 15_000 });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await mailsTo(email)).toHaveLength(1);
    } finally {
      second.kill('SIGTERM');
      await new Promise((resolve) => second.once('exit', resolve));
    }
  }, 60_000);

  test('`mail failed` lists a job that failed for good (never its link or code); `mail retry ID` sends it again', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authflow-cli-mail-'));
    const port = await freePort();
    const email = uniqueEmail('cli');
    // Its own embedded database and no Redis: nothing else may deliver the job meanwhile.
    const isolated = { DATABASE_URL: '', REDIS_URL: '' };
    const server = await startProcess(dir, port, { ...isolated, SMTP_URL: `smtp://127.0.0.1:${await freePort()}`, JOB_MAX_ATTEMPTS: '1' });
    try {
      await registerAt(`http://127.0.0.1:${port}`, email);
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env: processEnv(dir, port, isolated), encoding: 'utf8', timeout: 60_000 });
    const failed = cli('mail', 'failed');
    expect(failed.status).toBe(0);
    const line = failed.stdout.split('\n').find((l) => l.includes(email)) ?? '';
    expect(line).toMatch(/^\d+\t\S+\tmail:verify-email\tto \S+\t1 attempts\t.*ECONNREFUSED/);
    expect(failed.stdout).not.toContain('token=');
    const id = line.split('\t')[0] ?? '';
    expect(cli('mail', 'retry', id).stdout).toContain(`job ${id} is queued again`);
    expect(cli('mail', 'retry', id).status).toBe(1);
    const worker = await startProcess(dir, port, { ...isolated, LOG_LEVEL: 'info' }, 'src/worker.ts', 'AuthFlow worker is running');
    try {
      await waitForMail(email, { timeoutMs: 15_000 });
    } finally {
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
  }, 90_000);

  describe('a send that keeps failing', () => {
    let af: Harness;
    beforeAll(async () => {
      // Its own embedded database and no Redis: no other test's worker may pick its jobs up.
      af = await startAuthFlow({ DATABASE_URL: '', REDIS_URL: '', SMTP_URL: `smtp://127.0.0.1:${await freePort()}`, JOB_MAX_ATTEMPTS: '3', JOB_RETRY_BASE_MS: '50', REQUIRE_EMAIL_VERIFICATION: 'true' });
    });
    afterAll(() => af.close());

    test('is retried with backoff, then marked failed with its error; retry sends it again', async () => {
      const email = uniqueEmail('failing');
      await registerAt(af.issuer, email);
      const outbox = new OutboxRepository(af.container.db.sql);
      let failed = await outbox.listFailed();
      for (let i = 0; i < 100 && failed.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        failed = await outbox.listFailed();
      }
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ name: 'mail', attempts: 3, lastError: expect.stringMatching(/ECONNREFUSED/) });
      expect(await outbox.retry(failed[0]!.id)).toBe(true);
      expect(await outbox.retry(failed[0]!.id)).toBe(false);
      // The operator fixed SMTP: a runner with a working transport picks the job up.
      const runner = startInProcessRunner(outbox, { mail: mailJobHandler(smtpTransport(smtpUrl(), 'AuthFlow <no-reply@example.test>'), { appName: 'AuthFlow', issuer: af.issuer }) }, [], { maxAttempts: 3, retryBaseMs: 50, pollMs: 100 }, pino({ level: 'silent' }));
      try {
        const [mail] = await waitForMail(email);
        expect(mail?.subject).toContain('AuthFlow');
        expect(await outbox.get(failed[0]!.id)).toMatchObject({ status: 'sent', payload: { template: 'verify-email', to: email } });
      } finally {
        await runner.stop();
      }
    });
  });

  // Redis-only behaviour runs in the services run (REDIS_URL set), as DESIGN.md's testing section says.
  if (process.env.REDIS_URL) describe('through BullMQ (services run)', () => {
    let af: Harness;
    beforeAll(async () => {
      af = await startAuthFlow({ DATABASE_URL: '', QUEUE_PREFIX: `authflow-test-${Date.now().toString(36)}`, JOB_RETRY_BASE_MS: '200', REQUIRE_EMAIL_VERIFICATION: 'true' });
    });
    afterAll(() => af.close());

    test('delivers, retrying after the SMTP server turned the first attempt away', async () => {
      const email = `reject-once.${uniqueEmail('bullmq')}`;
      await registerAt(af.issuer, email);
      const [mail] = await waitForMail(email, { timeoutMs: 15_000 });
      expect(mail?.subject).toContain('AuthFlow');
      expect(await rejectionsFor(email)).toBe(1);
      const rows = await af.container.db.sql.query<{ status: string; attempts: number }>(`SELECT status, attempts FROM outbox WHERE payload->>'to' = $1`, [email]);
      expect(rows).toEqual([{ status: 'sent', attempts: 2 }]);
    });
  });

  if (process.env.REDIS_URL) describe('while Redis is down (services run)', () => {
    let af: Harness;
    let redis: TcpProxy;
    beforeAll(async () => {
      const target = new URL(process.env.REDIS_URL ?? '');
      redis = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 6379) });
      af = await startAuthFlow({ DATABASE_URL: '', REDIS_URL: `redis://127.0.0.1:${redis.port}`, QUEUE_PREFIX: `authflow-test-${Date.now().toString(36)}r`, REQUIRE_EMAIL_VERIFICATION: 'true' });
    });
    afterAll(async () => {
      await redis.up();
      await af.close();
      await redis.down();
    });

    test('sign-ups still succeed; their email waits in the outbox and goes out once Redis is back', async () => {
      await redis.down();
      const email = uniqueEmail('outage');
      await registerAt(af.issuer, email);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await mailsTo(email)).toHaveLength(0);
      const rows = await af.container.db.sql.query<{ status: string; relayed: boolean }>(`SELECT status, relayed_at IS NOT NULL AS relayed FROM outbox WHERE name = 'mail'`, []);
      expect(rows).toEqual([{ status: 'pending', relayed: false }]);
      await redis.up();
      await waitForMail(email, { timeoutMs: 20_000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await mailsTo(email)).toHaveLength(1);
    }, 40_000);
  });
});
