import { Writable } from 'node:stream';
import * as client from 'openid-client';
import { createLogger } from '../src/logger.js';
import { Browser } from './helpers/browser.js';
import { startAuthFlow, uniqueEmail, type Harness } from './helpers/harness.js';
import { callbackFrom, discover, register, startAuthorization, submit } from './helpers/oidc.js';

const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  },
});

let af: Harness;
beforeAll(async () => {
  af = await startAuthFlow({}, createLogger('trace', sink));
});
afterAll(() => af.close());

test('logs carry request ids and audit events, and never a password, code or token', async () => {
  const rp = await discover(af.issuer, 'first-party');
  const password = 'log-canary passphrase 7781';
  const email = uniqueEmail('logs');
  const browser = new Browser(af.issuer);
  const auth = await startAuthorization(rp, { scope: 'openid email offline_access' });
  const loginPage = await browser.follow(auth.url.toString());
  const wrong = await submit(browser, loginPage, '/login', { login: email, password: 'wrong-canary passphrase 9911' });
  expect(wrong.status).toBe(401);
  const callback = await callbackFrom(browser, await browser.follow(await register(browser, wrong, { email, password })));
  const tokens = await client.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  await client.refreshTokenGrant(rp, tokens.refresh_token ?? '');
  await af.container.audit.flush();

  const log = lines.join('\n');
  const secrets = [password, 'wrong-canary passphrase 9911', callback.searchParams.get('code') ?? 'x', tokens.access_token, tokens.refresh_token ?? 'x', tokens.id_token ?? 'x', auth.verifier];
  for (const secret of secrets) expect(log).not.toContain(secret);
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(parsed.some((l) => l.audit === 'login.failure' && typeof l.ip === 'string')).toBe(true);
  expect(parsed.some((l) => l.audit === 'user.registered')).toBe(true);
  expect(parsed.filter((l) => l.msg === 'request').every((l) => typeof l.requestId === 'string')).toBe(true);

  const events = await af.container.db.prisma.auditEvent.findMany({ where: { type: 'login.failure' }, orderBy: { id: 'desc' }, take: 1 });
  expect(events[0]).toMatchObject({ ip: expect.any(String), userAgent: expect.any(String) });
});

test('readiness turns 503 when the database is gone, liveness stays up', async () => {
  await af.container.db.close();
  const ready = await fetch(new URL('/readyz', af.issuer));
  expect(ready.status).toBe(503);
  expect(await ready.json()).toMatchObject({ status: 'unavailable', checks: { database: 'failed' } });
  expect((await fetch(new URL('/healthz', af.issuer))).status).toBe(200);
});
