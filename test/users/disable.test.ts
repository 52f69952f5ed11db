import * as client from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { uniqueEmail, useAuthFlow } from '../helpers/harness.js';
import { signIn, startAuthorization, submit } from '../helpers/oidc.js';

const env = useAuthFlow();

test('a disabled user cannot sign in and their tokens stop working at once', async () => {
  const email = uniqueEmail('disabled');
  const password = 'a passphrase for disabling';
  const created = await env.af.container.users.register({ email, password, roles: ['admin'] });
  if (!created.ok) throw new Error('registration failed');
  const auth = await startAuthorization(env.rp, { scope: 'openid email roles offline_access' });
  const browser = new Browser(env.af.issuer);
  const callback = await signIn(browser, auth, { email, password });
  const tokens = await client.authorizationCodeGrant(env.rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  const info = await client.fetchUserInfo(env.rp, tokens.access_token, created.user.id);
  expect(info.roles).toEqual(['admin']);

  await env.af.container.users.setStatus(created.user.id, 'disabled');

  await expect(client.fetchUserInfo(env.rp, tokens.access_token, created.user.id)).rejects.toBeDefined();
  await expect(client.refreshTokenGrant(env.rp, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
  expect((await client.tokenIntrospection(env.rp, tokens.access_token)).active).toBe(false);
  // The old session is gone: the login form is shown, and the right password no longer works.
  const again = await browser.follow((await startAuthorization(env.rp)).url.toString());
  expect(again.html).toContain('autocomplete="current-password"');
  const refused = await submit(browser, again, '/login', { login: email, password });
  expect(refused.status).toBe(401);
});
