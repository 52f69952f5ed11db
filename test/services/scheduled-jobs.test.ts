import { pino } from 'pino';
import { Browser } from '../helpers/browser.js';
import { startAuthFlow, uniqueEmail, type Harness } from '../helpers/harness.js';
import { discover, register, startAuthorization } from '../helpers/oidc.js';
import { loadConfig } from '../../src/config/index.js';
import { openDatabase } from '../../src/db/database.js';
import type { PasswordRecovery } from '../../src/self-service/password-recovery.js';
import { OidcStore } from '../../src/db/oidc-store.js';
import { UsersRepository } from '../../src/db/users-repository.js';
import { jobCatalogue } from '../../src/services/jobs/catalogue.js';
import { smtpTransport } from '../../src/services/mail/transport.js';

describe('deleting accounts never verified', () => {
  let af: Harness;
  beforeAll(async () => {
    af = await startAuthFlow({ REQUIRE_EMAIL_VERIFICATION: 'true', UNVERIFIED_ACCOUNT_TTL_DAYS: '7' });
  });
  afterAll(() => af.close());

  test('removes only self-registered unverified accounts older than the limit, and is safe to run twice at once', async () => {
    const { db, users } = af.container;
    const make = async (prefix: string, verified: boolean, ageDays: number, selfRegistered = true) => {
      const result = await users.register({ email: uniqueEmail(prefix), password: 'correct horse battery staple', emailVerified: verified, selfRegistered });
      if (!result.ok) throw new Error('could not create the user');
      await db.sql.query(`UPDATE users SET created_at = now() - ($2::int * interval '1 day') WHERE id = $1::uuid`, [result.user.id, ageDays]);
      return result.user.id;
    };
    const stale = await make('stale', false, 8);
    const young = await make('young', false, 6);
    const verified = await make('verified', true, 30);
    // Created by an operator (CLI), or before verification existed: never deleted for being unverified.
    const byOperator = await make('operator', false, 30, false);
    const job = jobCatalogue({
      config: af.config,
      transport: smtpTransport('smtp://127.0.0.1:1', 'x@example.test'),
      recovery: af.container.recovery,
      oidc: new OidcStore(db.sql),
      users: new UsersRepository(db.prisma, db.sql),
      reclaimSpace: () => db.reclaimSpace(),
      logger: pino({ level: 'silent' }),
    }).recurring.find((j) => j.name === 'delete-unverified-accounts');
    expect(job).toBeDefined();
    await Promise.all([job?.run(), job?.run()]);
    expect(await users.findById(stale)).toBeNull();
    expect(await users.findById(young)).not.toBeNull();
    expect(await users.findById(verified)).not.toBeNull();
    expect(await users.findById(byOperator)).not.toBeNull();
  });
});

describe('purging expired artifacts', () => {
  test('on the embedded database the purge job also reclaims space: the tables stop growing with every token ever issued', async () => {
    const db = await openDatabase({ kind: 'pglite', dataDir: undefined });
    try {
      await db.migrate();
      const store = new OidcStore(db.sql);
      const purgeJob = jobCatalogue({
        config: loadConfig({ ISSUER: 'http://127.0.0.1:1', COOKIE_KEYS: 'k'.repeat(43) }),
        transport: smtpTransport('smtp://127.0.0.1:1', 'x@example.test'),
        recovery: {} as PasswordRecovery,
        oidc: store,
        users: new UsersRepository(db.prisma, db.sql),
        reclaimSpace: () => db.reclaimSpace(),
        logger: pino({ level: 'silent' }),
      }).recurring.find((j) => j.name === 'purge-expired');
      expect(purgeJob).toBeDefined();
      const size = async () => Number((await db.sql.query<{ n: string }>(`SELECT pg_total_relation_size('oidc_models')::text AS n`))[0]?.n);
      // A batch of tokens, expired and purged, again and again.
      const cycle = async (reclaim: boolean) => {
        await db.sql.query(`INSERT INTO oidc_models (model, id, payload, expires_at)
          SELECT 'AccessToken', md5(random()::text || g), jsonb_build_object('jti', g, 'pad', repeat('x', 400)), now() - interval '1 second'
          FROM generate_series(1, 5000) g`);
        if (reclaim) await purgeJob?.run();
        else expect(await store.purgeExpired(new Date())).toBe(5000);
        await expect(db.sql.query(`SELECT 1 FROM oidc_models`)).resolves.toHaveLength(0);
        return size();
      };
      const reclaimed: number[] = [];
      for (let i = 0; i < 6; i++) reclaimed.push(await cycle(true));
      // Freed index pages are reused from the second vacuum on: the size levels off.
      expect(Math.max(...reclaimed.slice(3))).toBeLessThanOrEqual((reclaimed[2] ?? 0) * 1.1);
      // Without it, every batch adds its rows' worth of pages again.
      const before = await size();
      await cycle(false);
      const after = await cycle(false);
      expect(after - before).toBeGreaterThan(Math.max(...reclaimed));
    } finally {
      await db.close();
    }
  });
});

describe('the development mail outbox', () => {
  test('without SMTP_URL, mail is kept under the data dir and readable at /dev/mail, links clickable', async () => {
    const af = await startAuthFlow({ SMTP_URL: '', REDIS_URL: '', DATABASE_URL: '', TRUST_PROXY: 'true' });
    try {
      const email = uniqueEmail('devmail');
      const rp = await discover(af.issuer, 'first-party');
      const browser = new Browser(af.issuer);
      await register(browser, await browser.follow((await startAuthorization(rp)).url.toString()), { email, password: 'correct horse battery staple' });
      let list = await browser.request('/dev/mail');
      for (let i = 0; i < 50 && !list.html.includes(email); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        list = await browser.request('/dev/mail');
      }
      expect(list.html).toContain(email);
      const href = /href="(\/dev\/mail\/[0-9-a-f]+)"/.exec(list.html)?.[1] ?? '';
      const shown = await browser.request(href);
      expect(shown.status).toBe(200);
      expect(shown.html).toMatch(new RegExp(`<a href="${af.issuer}/verify-email\\?token=[A-Za-z0-9_-]{43}">`));
      expect((await browser.request('/dev/mail/..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
      // It holds live reset links: a client that is not on this machine never sees it.
      expect((await browser.request('/dev/mail', { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(404);
      expect((await browser.request(href, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(404);
    } finally {
      await af.close();
    }
  });

  test('is not served in production', async () => {
    const af = await startAuthFlow({ NODE_ENV: 'production', COOKIE_KEYS: 'k'.repeat(40), MAIL_FROM: 'AuthFlow <no-reply@example.test>', SMTP_URL: 'smtp://127.0.0.1:1', DEMO_ENABLED: 'false' });
    try {
      expect((await new Browser(af.issuer).request('/dev/mail')).status).toBe(404);
    } finally {
      await af.close();
    }
  });
});
