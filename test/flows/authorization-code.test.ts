import * as client from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { uniqueEmail, useAuthFlow } from '../helpers/harness.js';
import { callbackFrom, discover, register, REDIRECT_URI, signIn, startAuthorization } from '../helpers/oidc.js';

const PASSWORD = 'correct horse battery staple';

const env = useAuthFlow();

async function registerAndSignIn(browser: Browser, email: string, params: Record<string, string> = {}) {
  const auth = await startAuthorization(env.rp, { scope: 'openid profile email offline_access', ...params });
  const loginPage = await browser.follow(auth.url.toString());
  expect(loginPage.status).toBe(200);
  const callback = await callbackFrom(browser, await browser.follow(await register(browser, loginPage, { email, password: PASSWORD, name: 'Ada Lovelace', username: `ada${Date.now().toString(36)}` })));
  return { auth, callback };
}

describe('authorization code + PKCE with openid-client as the relying party', () => {
  test('discovery advertises what AuthFlow supports and nothing it does not', () => {
    const meta = env.rp.serverMetadata();
    expect(meta.issuer).toBe(env.af.issuer);
    expect(meta.response_types_supported).toEqual(['code']);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']));
    expect(meta.grant_types_supported).not.toContain('password');
    expect(meta.grant_types_supported).not.toContain('implicit');
    expect(meta.authorization_response_iss_parameter_supported).toBe(true);
    expect(meta.introspection_endpoint).toBeDefined();
    expect(meta.revocation_endpoint).toBeDefined();
    expect(meta.end_session_endpoint).toBeDefined();
    expect(meta.pushed_authorization_request_endpoint).toBeDefined();
    expect(meta.id_token_signing_alg_values_supported).not.toContain('none');
  });

  test('register → sign in → code → tokens → userinfo, with iss in the authorization response', async () => {
    const browser = new Browser(env.af.issuer);
    const email = uniqueEmail('ada');
    const { auth, callback } = await registerAndSignIn(browser, email);
    expect(callback.searchParams.get('iss')).toBe(env.af.issuer);
    const tokens = await client.authorizationCodeGrant(env.rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
    const claims = tokens.claims();
    expect(claims?.iss).toBe(env.af.issuer);
    expect(claims?.aud).toBe('first-party');
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const info = await client.fetchUserInfo(env.rp, tokens.access_token, claims?.sub ?? '');
    expect(info).toMatchObject({ sub: claims?.sub, email, email_verified: false, name: 'Ada Lovelace' });
  });

  test('an existing account signs in with its email and password; the session then skips the login page', async () => {
    const browser = new Browser(env.af.issuer);
    const email = uniqueEmail('grace');
    await registerAndSignIn(browser, email);
    const fresh = new Browser(env.af.issuer);
    const auth = await startAuthorization(env.rp);
    const callback = await signIn(fresh, auth, { email: email.toUpperCase(), password: PASSWORD });
    const tokens = await client.authorizationCodeGrant(env.rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
    expect(await client.fetchUserInfo(env.rp, tokens.access_token, tokens.claims()?.sub ?? '')).toMatchObject({ email });
    // Same browser again: the session cookie signs in without a form.
    const again = await startAuthorization(env.rp);
    const page = await fresh.follow(again.url.toString());
    expect(new URL(page.url).origin + new URL(page.url).pathname).toBe(REDIRECT_URI);
  });

  test('refresh rotates the token; presenting the old one again revokes the whole grant', async () => {
    const browser = new Browser(env.af.issuer);
    const { auth, callback } = await registerAndSignIn(browser, uniqueEmail('rot'));
    const first = await client.authorizationCodeGrant(env.rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
    const second = await client.refreshTokenGrant(env.rp, first.refresh_token ?? '');
    expect(second.refresh_token).toBeDefined();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    await new Promise((resolve) => setTimeout(resolve, (env.af.config.refreshTokenReuseGraceSeconds + 1) * 1000));
    await expect(client.refreshTokenGrant(env.rp, first.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
    // The rotated-in token died with the grant, and so did its access token.
    await expect(client.refreshTokenGrant(env.rp, second.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
    const introspected = await client.tokenIntrospection(env.rp, second.access_token);
    expect(introspected.active).toBe(false);
    const audit = await env.af.container.db.prisma.auditEvent.findMany({ where: { type: 'refresh_token.reused' } });
    expect(audit.length).toBeGreaterThan(0);
  });

  test('two refreshes racing with the same token inside the grace window both succeed', async () => {
    const browser = new Browser(env.af.issuer);
    const { auth, callback } = await registerAndSignIn(browser, uniqueEmail('race'));
    const first = await client.authorizationCodeGrant(env.rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
    const [a, b] = await Promise.all([client.refreshTokenGrant(env.rp, first.refresh_token ?? ''), client.refreshTokenGrant(env.rp, first.refresh_token ?? '')]);
    expect(a.access_token).toBeDefined();
    expect(b.access_token).toBeDefined();
    const later = await client.refreshTokenGrant(env.rp, b.refresh_token ?? '');
    expect(later.access_token).toBeDefined();
  });

  test('introspection reports an active token with its subject; revocation ends it', async () => {
    const browser = new Browser(env.af.issuer);
    const { auth, callback } = await registerAndSignIn(browser, uniqueEmail('intro'));
    const tokens = await client.authorizationCodeGrant(env.rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
    const active = await client.tokenIntrospection(env.rp, tokens.access_token);
    expect(active).toMatchObject({ active: true, client_id: 'first-party', sub: tokens.claims()?.sub });
    await client.tokenRevocation(env.rp, tokens.access_token);
    expect((await client.tokenIntrospection(env.rp, tokens.access_token)).active).toBe(false);
    await client.tokenRevocation(env.rp, tokens.refresh_token ?? '');
    await expect(client.refreshTokenGrant(env.rp, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  test('RP-initiated logout asks for confirmation, ends the session and redirects to the registered URI', async () => {
    const browser = new Browser(env.af.issuer);
    const { auth, callback } = await registerAndSignIn(browser, uniqueEmail('bye'));
    const tokens = await client.authorizationCodeGrant(env.rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
    const url = client.buildEndSessionUrl(env.rp, { id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: 'http://127.0.0.1:7777/signed-out', state: 'xyz' });
    const confirm = await browser.follow(url.toString());
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain('op.logoutForm');
    const { action, fields } = Browser.form(confirm.html, 'logout');
    const done = await browser.follow(await browser.request(action, { form: { ...fields, logout: 'yes' } }));
    expect(done.url).toBe('http://127.0.0.1:7777/signed-out?state=xyz');
    // Signed out: a new authorization shows the login form again.
    const next = await browser.follow((await startAuthorization(env.rp)).url.toString());
    expect(next.status).toBe(200);
    expect(next.html).toContain('autocomplete="current-password"');
    // The online refresh token ended with the session.
    await expect(client.refreshTokenGrant(env.rp, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  test('a third-party client gets the consent screen; denying returns access_denied to the client', async () => {
    const browser = new Browser(env.af.issuer);
    await registerAndSignIn(browser, uniqueEmail('consent'));
    const third = await discover(env.af.issuer, 'third-party');
    const auth = await startAuthorization(third);
    const consent = await browser.follow(auth.url.toString());
    expect(consent.status).toBe(200);
    expect(consent.html).toContain('Allow access');
    const { action, fields } = Browser.form(consent.html, '/consent');
    const denied = await browser.follow(await browser.request(action, { form: { ...fields, decision: 'deny' } }));
    const url = new URL(denied.url);
    expect(url.searchParams.get('error')).toBe('access_denied');
    const allowed = await startAuthorization(third);
    const callback = await callbackFrom(browser, await browser.follow(allowed.url.toString()));
    const tokens = await client.authorizationCodeGrant(third, callback, { pkceCodeVerifier: allowed.verifier, expectedState: allowed.state, expectedNonce: allowed.nonce });
    expect(tokens.access_token).toBeDefined();
  });
});
