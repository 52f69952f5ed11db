import * as client from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { uniqueEmail, useAuthFlow } from '../helpers/harness.js';
import { callbackFrom, register, REDIRECT_URI, startAuthorization } from '../helpers/oidc.js';

const PASSWORD = 'a long enough passphrase';

const env = useAuthFlow();

async function codeFor(browser: Browser) {
  const auth = await startAuthorization(env.rp);
  const loginPage = await browser.follow(auth.url.toString());
  const callback = await callbackFrom(browser, await browser.follow(await register(browser, loginPage, { email: uniqueEmail('neg'), password: PASSWORD })));
  return { auth, callback };
}

function authorizeUrl(params: Record<string, string>): string {
  const url = new URL('/auth', env.af.issuer);
  for (const [k, v] of Object.entries({ client_id: 'first-party', response_type: 'code', scope: 'openid', redirect_uri: REDIRECT_URI, state: 's1', ...params })) {
    url.searchParams.set(k, v);
  }
  return url.toString();
}

describe('redirect_uri is matched exactly and never redirected to when it does not match', () => {
  test.each([
    ['unregistered', 'https://evil.example/callback'],
    ['extra path', `${REDIRECT_URI}/x`],
    ['extra query', `${REDIRECT_URI}?next=https://evil.example`],
    ['different port', 'http://127.0.0.1:7778/callback'],
    ['trailing slash', `${REDIRECT_URI}/`],
  ])('%s redirect_uri: an error page, no Location', async (_label, redirectUri) => {
    const browser = new Browser(env.af.issuer);
    const res = await browser.request(authorizeUrl({ redirect_uri: redirectUri, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.html).toContain('redirect_uri');
  });
});

describe('PKCE', () => {
  test('a request without code_challenge is refused', async () => {
    const res = await new Browser(env.af.issuer).request(authorizeUrl({}));
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  test('the plain method is refused', async () => {
    const res = await new Browser(env.af.issuer).request(authorizeUrl({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }));
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });

  test('a wrong code_verifier gets invalid_grant', async () => {
    const { auth, callback } = await codeFor(new Browser(env.af.issuer));
    const wrong = client.randomPKCECodeVerifier();
    await expect(client.authorizationCodeGrant(env.rp, callback, { pkceCodeVerifier: wrong, expectedState: auth.state, expectedNonce: auth.nonce })).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

describe('authorization codes are single-use', () => {
  test('a second exchange fails and revokes the tokens of the first', async () => {
    const { auth, callback } = await codeFor(new Browser(env.af.issuer));
    const checks = { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce };
    const tokens = await client.authorizationCodeGrant(env.rp, callback, checks);
    expect((await client.tokenIntrospection(env.rp, tokens.access_token)).active).toBe(true);
    await expect(client.authorizationCodeGrant(env.rp, callback, checks)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await client.tokenIntrospection(env.rp, tokens.access_token)).active).toBe(false);
    await expect(client.refreshTokenGrant(env.rp, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

describe('no response types that return tokens from the authorization endpoint', () => {
  test.each(['token', 'id_token', 'code id_token', 'code token'])('response_type=%s is refused', async (responseType) => {
    const res = await new Browser(env.af.issuer).request(authorizeUrl({ response_type: responseType, nonce: 'n', code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' }));
    // The error goes back in the fragment these response types use; a token never does.
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(REDIRECT_URI);
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('error')).toBe('unsupported_response_type');
    expect(location.toString()).not.toMatch(/access_token|id_token=|code=/);
  });

  test.each([
    ['refresh token', { grant_type: 'refresh_token', refresh_token: 'abc\u0000def' }],
    ['authorization code', { grant_type: 'authorization_code', code: '\u0000'.repeat(43), redirect_uri: REDIRECT_URI, code_verifier: 'v'.repeat(43) }],
  ])('a %s with a NUL byte (no database can store one) is invalid_grant, not a server error', async (_label, params) => {
    const res = await fetch(new URL('/token', env.af.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...params, client_id: 'first-party' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
  });

  test('the password grant does not exist', async () => {
    const res = await fetch(new URL('/token', env.af.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'x', password: 'y', client_id: 'first-party' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });
});
