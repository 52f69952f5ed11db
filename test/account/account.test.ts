import * as client from 'openid-client';
import { Browser, type PageResponse } from '../helpers/browser.js';
import { uniqueEmail, useAuthFlow } from '../helpers/harness.js';
import { linkIn, mailsTo } from '../helpers/mail.js';
import { submit } from '../helpers/oidc.js';
import { PASSWORD, accountHelpers, mailsAbout } from './account-helpers.js';

const NEW_PASSWORD = 'a fresh passphrase for the account page';
const env = useAuthFlow();
const { accountWithRefreshToken, openAccount, canSignIn } = accountHelpers(env);

async function changePassword(browser: Browser, values: Record<string, string>, signOutOthers = true): Promise<PageResponse> {
  const { action, fields } = Browser.form((await browser.request('/account/password')).html, '/account/password');
  if (!signOutOthers) delete fields.sign_out_others;
  return browser.request(action, { form: { ...fields, ...values } });
}

describe('account pages', () => {
  test('/account sends a visitor through sign-in and back; the session cookie is HttpOnly and scoped to /account', async () => {
    const email = uniqueEmail('acct');
    await accountWithRefreshToken(email);
    const { page } = await openAccount(email);
    expect(page.html).toContain(email);
    expect(page.headers.get('cache-control')).toBe('no-store');

    // Step through a sign-in to look at the cookie the callback sets.
    const browser = new Browser(env.af.issuer);
    let response = await browser.request('/account');
    const loginPage = await browser.follow(response);
    response = await submit(browser, loginPage, '/login', { login: email, password: PASSWORD });
    let cookies: string[] = [];
    for (let hops = 0; hops < 10 && response.headers.get('location'); hops++) {
      if (new URL(response.url).pathname === '/account/callback') cookies = response.headers.getSetCookie();
      response = await browser.request(new URL(response.headers.get('location') ?? '', response.url).toString());
    }
    const session = cookies.find((c) => c.startsWith('authflow_account='));
    expect(session).toBeDefined();
    expect(session?.toLowerCase()).toContain('path=/account;');
    expect(session?.toLowerCase()).toContain('httponly');
    expect(session?.toLowerCase()).toContain('samesite=lax');
  });

  test('a wrong current password changes nothing', async () => {
    const email = uniqueEmail('wrong');
    const refreshToken = await accountWithRefreshToken(email);
    const { browser } = await openAccount(email);
    const page = await changePassword(browser, { current_password: 'not the password at all', new_password: NEW_PASSWORD });
    expect(page.status).toBe(400);
    expect(page.html).toContain('current password is not correct');
    expect(await canSignIn(email, PASSWORD)).toBe(true);
    expect(await canSignIn(email, NEW_PASSWORD)).toBe(false);
    await expect(client.refreshTokenGrant(env.rp, refreshToken)).resolves.toHaveProperty('access_token');
  });

  test('a new password under the policy signs out everything else, keeps this session and notifies', async () => {
    const email = uniqueEmail('pw');
    const refreshToken = await accountWithRefreshToken(email);
    const { browser } = await openAccount(email);
    const weak = await changePassword(browser, { current_password: PASSWORD, new_password: 'password' });
    expect(weak.status).toBe(400);
    expect(weak.html).toContain('too common');

    const done = await changePassword(browser, { current_password: PASSWORD, new_password: NEW_PASSWORD });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/account?done=password');
    expect(await canSignIn(email, PASSWORD)).toBe(false);
    expect(await canSignIn(email, NEW_PASSWORD)).toBe(true);
    await expect(client.refreshTokenGrant(env.rp, refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' });
    const after = await browser.request('/account?done=password');
    expect(after.status).toBe(200);
    expect(after.html).toContain('Your password is changed');

    // The provider session survived: another tab with only its cookie gets in without a password.
    const tab = new Browser(env.af.issuer);
    for (const name of ['authflow_session', 'authflow_session.sig']) tab.setCookie(name, browser.cookie(name) ?? '');
    const silent = await tab.follow('/account');
    expect(silent.url).toBe(`${env.af.issuer}/account`);
    expect(silent.html).toContain(email);

    const [notice] = await mailsAbout(email, /password was changed/);
    expect(linkIn(notice!, '/forgot-password')).toBeTruthy();
  });

  test('unticking "sign out everywhere else" keeps the other sessions', async () => {
    const email = uniqueEmail('keep');
    const refreshToken = await accountWithRefreshToken(email);
    const { browser } = await openAccount(email);
    const done = await changePassword(browser, { current_password: PASSWORD, new_password: NEW_PASSWORD }, false);
    expect(done.status).toBe(303);
    await expect(client.refreshTokenGrant(env.rp, refreshToken)).resolves.toHaveProperty('access_token');
    expect(await canSignIn(email, NEW_PASSWORD)).toBe(true);
  });

  test('signing out ends the account pages and, once confirmed, the provider session', async () => {
    const email = uniqueEmail('bye');
    await accountWithRefreshToken(email);
    const { browser, page } = await openAccount(email);
    const out = await submit(browser, page, '/account/logout', {});
    expect(out.status).toBe(303);
    expect(new URL(out.headers.get('location') ?? '', env.af.issuer).pathname).toBe('/session/end');
    const confirm = await browser.follow(out);
    const { action, fields } = Browser.form(confirm.html, 'logout');
    const done = await browser.follow(await browser.request(action, { form: { ...fields, logout: 'yes' } }));
    expect(done.url).toBe(`${env.af.issuer}/`);
    const again = await browser.follow('/account');
    expect(again.html).toContain('autocomplete="current-password"');
  });

  test('a POST without the CSRF token is refused and changes nothing', async () => {
    const email = uniqueEmail('csrf');
    await accountWithRefreshToken(email);
    const { browser } = await openAccount(email);
    const forged = await browser.request('/account/password', { form: { current_password: PASSWORD, new_password: NEW_PASSWORD, sign_out_others: 'on' } });
    expect(forged.status).toBe(403);
    const other = uniqueEmail('csrf-new');
    expect((await browser.request('/account/email', { form: { email: other, current_password: PASSWORD } })).status).toBe(403);
    expect(await canSignIn(email, PASSWORD)).toBe(true);
    expect(await mailsTo(other)).toHaveLength(0);
  });
});

test('signing in to /account needs the sign-in itself: a made-up callback is refused', async () => {
  const browser = new Browser(env.af.issuer);
  expect((await browser.request('/account/callback?code=abc&state=def')).status).toBe(400);
});
