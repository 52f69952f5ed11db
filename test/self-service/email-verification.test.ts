import * as client from 'openid-client';
import { Browser, type PageResponse } from '../helpers/browser.js';
import { uniqueEmail, useAuthFlow } from '../helpers/harness.js';
import { codeIn, linkIn, mailsTo, waitForMail } from '../helpers/mail.js';
import { callbackFrom, register, startAuthorization, submit, type StartedAuthorization } from '../helpers/oidc.js';

const PASSWORD = 'correct horse battery staple';
const env = useAuthFlow('first-party', { REQUIRE_EMAIL_VERIFICATION: 'true' });

/** Registers in a fresh browser; returns the verification page the registration leads to. */
async function registerUnverified(email: string): Promise<{ browser: Browser; auth: StartedAuthorization; page: PageResponse }> {
  const browser = new Browser(env.af.issuer);
  const auth = await startAuthorization(env.rp);
  const loginPage = await browser.follow(auth.url.toString());
  const page = await browser.follow(await register(browser, loginPage, { email, password: PASSWORD, name: 'Ada' }));
  return { browser, auth, page };
}

async function userinfo(auth: StartedAuthorization, callback: URL) {
  const tokens = await client.authorizationCodeGrant(env.rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
  return client.fetchUserInfo(env.rp, tokens.access_token, tokens.claims()?.sub ?? '');
}

const sql = (text: string, params: unknown[]) => env.af.container.db.sql.query(text, params);

describe('email verification', () => {
  test('registration sends one email with a link and a code; the sign-in waits on the verification page', async () => {
    const email = uniqueEmail('verify');
    const { page } = await registerUnverified(email);
    expect(page.status).toBe(200);
    expect(page.url).toMatch(/\/interaction\/[^/]+\/verify\?ticket=/);
    expect(page.html).toContain(email);
    const [mail] = await waitForMail(email);
    expect(mail?.subject).toContain('AuthFlow');
    expect(linkIn(mail!, '/verify-email')).toMatch(/token=[A-Za-z0-9_-]{43}$/);
    expect(codeIn(mail!)).toMatch(/^\d{6}$/);
    // The database holds hashes only.
    const rows = await sql('SELECT link_hash, code_hash FROM email_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = $1', [email]);
    const link = new URL(linkIn(mail!, '/verify-email')).searchParams.get('token');
    expect(JSON.stringify(rows)).not.toContain(link);
    expect(JSON.stringify(rows)).not.toContain(codeIn(mail!));
  });

  test('the code completes the sign-in, and the account is verified', async () => {
    const email = uniqueEmail('code');
    const { browser, auth, page } = await registerUnverified(email);
    const [mail] = await waitForMail(email);
    const done = await browser.follow(await submit(browser, page, '/verify', { code: codeIn(mail!) }));
    const callback = await callbackFrom(browser, done);
    expect(await userinfo(auth, callback)).toMatchObject({ email, email_verified: true });
  });

  test('the link shows a confirmation page (a GET changes nothing), a POST verifies, then "continue" signs in; the link works once', async () => {
    const email = uniqueEmail('link');
    const { browser, auth, page } = await registerUnverified(email);
    const [mail] = await waitForMail(email);
    const link = linkIn(mail!, '/verify-email');
    const other = new Browser(env.af.issuer); // the mail app's browser, not the sign-in tab
    const confirmPage = await other.request(link);
    await other.request(link); // a mail scanner following the link again
    expect(confirmPage.status).toBe(200);
    expect(confirmPage.html).toContain(email);
    const notYet = await submit(browser, page, '/verify/continue', {});
    expect(notYet.status).toBe(400);
    const confirmed = await submit(other, confirmPage, '/verify-email', {});
    expect(confirmed.status).toBe(200);
    expect(confirmed.html).toContain('is confirmed');
    const callback = await callbackFrom(browser, await browser.follow(await submit(browser, page, '/verify/continue', {})));
    expect(await userinfo(auth, callback)).toMatchObject({ email_verified: true });
    const reused = await submit(other, confirmPage, '/verify-email', {});
    expect(reused.status).toBe(410);
    expect((await other.request(link)).status).toBe(410);
  });

  test('wrong codes are rejected and counted: after 5 even the right code fails until a new one is sent', async () => {
    const email = uniqueEmail('wrong');
    const { browser, auth, page } = await registerUnverified(email);
    const [mail] = await waitForMail(email);
    const right = codeIn(mail!);
    const wrong = right === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const res = await submit(browser, page, '/verify', { code: wrong });
      expect(res.status).toBe(400);
      expect(res.html).toContain('not correct');
    }
    const blocked = await submit(browser, page, '/verify', { code: right });
    expect(blocked.status).toBe(400);
    expect(blocked.html).toContain('Too many wrong codes');
    // The resend cooldown is 60 s: age the code instead of waiting.
    await sql(`UPDATE email_tokens SET created_at = now() - interval '2 minutes' WHERE email = $1`, [email]);
    const resent = await submit(browser, page, '/verify/resend', {});
    expect(resent.status).toBe(200);
    const mails = await waitForMail(email, { count: 2 });
    const fresh = codeIn(mails[1]!);
    if (fresh !== right) expect((await submit(browser, page, '/verify', { code: right })).status).toBe(400);
    const callback = await callbackFrom(browser, await browser.follow(await submit(browser, page, '/verify', { code: fresh })));
    expect(await userinfo(auth, callback)).toMatchObject({ email_verified: true });
    // A newer email made the first link worthless too.
    expect((await new Browser(env.af.issuer).request(linkIn(mails[0]!, '/verify-email'))).status).toBe(410);
  });

  test('an expired code and an expired link are refused', async () => {
    const email = uniqueEmail('expired');
    const { browser, page } = await registerUnverified(email);
    const [mail] = await waitForMail(email);
    await sql(`UPDATE email_tokens SET code_expires_at = now() - interval '1 second', link_expires_at = now() - interval '1 second' WHERE email = $1`, [email]);
    const res = await submit(browser, page, '/verify', { code: codeIn(mail!) });
    expect(res.status).toBe(400);
    expect(res.html).toContain('expired');
    expect((await new Browser(env.af.issuer).request(linkIn(mail!, '/verify-email'))).status).toBe(410);
  });

  test('a resend within 60 s is refused with 429 and sends nothing', async () => {
    const email = uniqueEmail('cooldown');
    const { browser, page } = await registerUnverified(email);
    await waitForMail(email);
    const res = await submit(browser, page, '/verify/resend', {});
    expect(res.status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await mailsTo(email)).toHaveLength(1);
  });

  test('an unverified account that signs in later is taken through verification, then signed in', async () => {
    const email = uniqueEmail('later');
    await registerUnverified(email); // abandons the first sign-in
    await waitForMail(email);
    await sql(`UPDATE email_tokens SET created_at = now() - interval '2 minutes' WHERE email = $1`, [email]);
    const browser = new Browser(env.af.issuer);
    const auth = await startAuthorization(env.rp);
    const loginPage = await browser.follow(auth.url.toString());
    const page = await browser.follow(await submit(browser, loginPage, '/login', { login: email, password: PASSWORD }));
    expect(page.url).toMatch(/\/verify\?ticket=/);
    const mails = await waitForMail(email, { count: 2 });
    const callback = await callbackFrom(browser, await browser.follow(await submit(browser, page, '/verify', { code: codeIn(mails[1]!) })));
    expect(await userinfo(auth, callback)).toMatchObject({ email, email_verified: true });
  });

  test('a forged or foreign ticket is refused', async () => {
    const email = uniqueEmail('ticket');
    const { browser, page } = await registerUnverified(email);
    const { fields } = Browser.form(page.html, '/verify');
    const userId = fields.ticket?.split('.')[0] ?? '';
    const forged = await browser.request(Browser.form(page.html, '/verify').action, { form: { ...fields, ticket: `${userId}.${'A'.repeat(43)}`, code: '123456' } });
    expect(forged.status).toBe(403);
  });
});
