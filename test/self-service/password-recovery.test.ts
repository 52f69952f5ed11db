import * as client from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { uniqueEmail, useAuthFlow } from '../helpers/harness.js';
import { linkIn, mailsTo, type ReceivedMail } from '../helpers/mail.js';
import { callbackFrom, register, signIn, startAuthorization, submit } from '../helpers/oidc.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase for recovery';
const env = useAuthFlow();

/** An account with a refresh token in hand, as a relying party would hold it. */
async function accountWithRefreshToken(email: string) {
  const browser = new Browser(env.af.issuer);
  const auth = await startAuthorization(env.rp, { scope: 'openid email offline_access' });
  const loginPage = await browser.follow(auth.url.toString());
  const callback = await callbackFrom(browser, await browser.follow(await register(browser, loginPage, { email, password: PASSWORD })));
  const tokens = await client.authorizationCodeGrant(env.rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  return { browser, refreshToken: tokens.refresh_token ?? '' };
}

async function requestReset(email: string) {
  const browser = new Browser(env.af.issuer);
  const form = await browser.request('/forgot-password');
  expect(form.status).toBe(200);
  return submit(browser, form, '/forgot-password', { email });
}

/** Waits for `count` emails to the address whose subject matches (registration sent a verification email first). */
async function mailsAbout(email: string, subject: RegExp, count = 1) {
  for (let i = 0; i < 100; i++) {
    const found = (await mailsTo(email)).filter((m) => subject.test(m.subject));
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`expected ${count} mail(s) about ${subject} to ${email}`);
}

/**
 * The reset link, on this test's server. The link is built by whichever worker ran the reset job:
 * in the services run every test server shares the database and queue, so that may be another
 * (already stopped) server, as any replica may in production. The token is valid on all of them.
 */
function resetLink(mail: ReceivedMail): string {
  const link = new URL(linkIn(mail, '/reset-password'));
  return new URL(`${link.pathname}${link.search}`, env.af.issuer).toString();
}

const normalise = (html: string, email: string) => html.replaceAll(email, 'EMAIL').replace(/value="[^"]*"/g, 'value=""');

describe('password recovery', () => {
  test('known and unknown addresses get the same answer; only the account gets an email', async () => {
    const email = uniqueEmail('known');
    await accountWithRefreshToken(email);
    const unknown = uniqueEmail('nobody');
    const [known, missing] = [await requestReset(email), await requestReset(unknown)];
    expect(missing.status).toBe(known.status);
    expect(normalise(missing.html, unknown)).toBe(normalise(known.html, email));
    const [mail] = await mailsAbout(email, /Reset your/);
    expect(resetLink(mail!)).toMatch(/token=[A-Za-z0-9_-]{43}$/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await mailsTo(unknown)).toHaveLength(0);
    expect(await mailsAbout(email, /Reset your/)).toHaveLength(1);
  });

  test('the link sets a new password under the policy, signs the account out everywhere, notifies, and works once', async () => {
    const email = uniqueEmail('reset');
    const { refreshToken } = await accountWithRefreshToken(email);
    await requestReset(email);
    const [mail] = await mailsAbout(email, /Reset your/);
    const link = resetLink(mail!);
    const browser = new Browser(env.af.issuer);
    const form = await browser.request(link);
    expect(form.status).toBe(200);
    const weak = await submit(browser, form, '/reset-password', { password: 'password' });
    expect(weak.status).toBe(400);
    expect(weak.html).toContain('too common');
    const done = await submit(browser, form, '/reset-password', { password: NEW_PASSWORD });
    expect(done.status).toBe(200);
    expect(done.html).toContain('signed out');
    // Every refresh token of the account is gone, and the old password no longer works.
    await expect(client.refreshTokenGrant(env.rp, refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' });
    const old = new Browser(env.af.issuer);
    const auth = await startAuthorization(env.rp);
    const loginPage = await old.follow(auth.url.toString());
    expect((await submit(old, loginPage, '/login', { login: email, password: PASSWORD })).status).toBe(401);
    const fresh = new Browser(env.af.issuer);
    const callback = await signIn(fresh, await startAuthorization(env.rp), { email, password: NEW_PASSWORD });
    expect(callback.searchParams.get('code')).toBeTruthy();
    const [notice] = await mailsAbout(email, /password was changed/);
    expect(notice?.text).toContain('/forgot-password');
    expect((await browser.request(link)).status).toBe(410);
    expect((await submit(browser, form, '/reset-password', { password: `${NEW_PASSWORD} again` })).status).toBe(410);
  });

  test('a newer request makes the older link worthless; an expired link is refused', async () => {
    const email = uniqueEmail('newer');
    await accountWithRefreshToken(email);
    await requestReset(email);
    await mailsAbout(email, /Reset your/);
    await requestReset(email);
    const mails = await mailsAbout(email, /Reset your/, 2);
    const browser = new Browser(env.af.issuer);
    expect((await browser.request(resetLink(mails[0]!))).status).toBe(410);
    expect((await browser.request(resetLink(mails[1]!))).status).toBe(200);
    await env.af.container.db.sql.query(`UPDATE email_tokens SET link_expires_at = now() - interval '1 second' WHERE email = $1`, [email]);
    expect((await browser.request(resetLink(mails[1]!))).status).toBe(410);
  });

  test('a made-up token, a malformed one and a missing CSRF token change nothing', async () => {
    const browser = new Browser(env.af.issuer);
    expect((await browser.request(`/reset-password?token=${'A'.repeat(43)}`)).status).toBe(410);
    expect((await browser.request('/reset-password?token=%3Cscript%3E')).status).toBe(410);
    const noCsrf = await browser.request('/reset-password', { form: { token: 'A'.repeat(43), password: NEW_PASSWORD } });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.html).not.toMatch(/\n\s+at /);
  });
});
