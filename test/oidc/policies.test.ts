import * as client from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { startAuthFlow, uniqueEmail, WEB_APP_SECRET, type Harness } from '../helpers/harness.js';
import { discover, signIn, startAuthorization, submit } from '../helpers/oidc.js';

const PASSWORD = 'policy test passphrase';

async function tokensFor(af: Harness, email: string) {
  const created = await af.container.users.register({ email, password: PASSWORD });
  if (!created.ok) throw new Error('registration failed');
  const rp = await discover(af.issuer, 'first-party');
  const auth = await startAuthorization(rp, { scope: 'openid email offline_access' });
  const browser = new Browser(af.issuer);
  const callback = await signIn(browser, auth, { email, password: PASSWORD });
  const tokens = await client.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  return { rp, browser, tokens, user: created.user };
}

describe('introspection of other clients\' tokens', () => {
  let af: Harness;
  beforeAll(async () => {
    af = await startAuthFlow();
  });
  afterAll(() => af.close());

  test('an ordinary confidential client learns nothing; a client registered with can_introspect does', async () => {
    const { tokens } = await tokensFor(af, uniqueEmail('intro'));
    const webApp = await discover(af.issuer, 'web-app', WEB_APP_SECRET);
    expect(await client.tokenIntrospection(webApp, tokens.access_token)).toEqual({ active: false });
    const api = await discover(af.issuer, 'api', 'api-secret-api-secret-api-secret-api-secret');
    expect(await client.tokenIntrospection(api, tokens.access_token)).toMatchObject({ active: true, client_id: 'first-party' });
  });

  test('a failed sign-in of a known account is audited with the account, an unknown one without', async () => {
    const { user } = await tokensFor(af, uniqueEmail('audit'));
    const rp = await discover(af.issuer, 'first-party');
    for (const login of [user.email, uniqueEmail('nobody')]) {
      const browser = new Browser(af.issuer);
      const page = await browser.follow((await startAuthorization(rp)).url.toString());
      expect((await submit(browser, page, '/login', { login, password: 'wrong passphrase!' })).status).toBe(401);
    }
    await af.container.audit.flush();
    const failures = await af.container.db.prisma.auditEvent.findMany({ where: { type: 'login.failure' }, orderBy: { id: 'desc' }, take: 2 });
    expect(failures.map((f) => f.userId)).toEqual([null, user.id]);
  });
});

describe('sessions', () => {
  test('a session used all the time still ends at the absolute timeout', async () => {
    const af = await startAuthFlow({ TTL_SESSION: '3', TTL_SESSION_ABSOLUTE: '4' });
    try {
      const { rp, browser } = await tokensFor(af, uniqueEmail('abs'));
      // Within the idle TTL every time: each authorization request touches the session.
      for (let i = 0; i < 2; i += 1) {
        await new Promise((r) => setTimeout(r, 1500));
        const page = await browser.follow((await startAuthorization(rp)).url.toString());
        expect(page.url).toContain('/callback');
      }
      await new Promise((r) => setTimeout(r, 1500));
      const after = await browser.follow((await startAuthorization(rp)).url.toString());
      expect(after.html).toContain('autocomplete="current-password"');
    } finally {
      await af.close();
    }
  }, 60_000);
});

describe('behind a reverse proxy', () => {
  async function auditedIp(env: Record<string, string>): Promise<string | null> {
    const af = await startAuthFlow(env);
    try {
      const rp = await discover(af.issuer, 'first-party');
      const browser = new Browser(af.issuer);
      const page = await browser.follow((await startAuthorization(rp)).url.toString());
      const { action, fields } = Browser.form(page.html, '/login');
      await browser.request(action, { form: { ...fields, login: 'x@example.test', password: 'wrong passphrase!' }, headers: { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' } });
      await af.container.audit.flush();
      const [event] = await af.container.db.prisma.auditEvent.findMany({ where: { type: 'login.failure' }, orderBy: { id: 'desc' }, take: 1 });
      return event?.ip ?? null;
    } finally {
      await af.close();
    }
  }

  test('forwarded addresses are ignored unless TRUST_PROXY is on, and then only the proxy\'s own entry counts', async () => {
    expect(await auditedIp({})).toMatch(/127\.0\.0\.1/);
    expect(await auditedIp({ TRUST_PROXY: 'true' })).toBe('198.51.100.7');
    expect(await auditedIp({ TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '2' })).toBe('203.0.113.9');
  }, 120_000);
});
