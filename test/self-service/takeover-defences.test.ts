import { Browser } from '../helpers/browser.js';
import { uniqueEmail, useAuthFlow } from '../helpers/harness.js';
import { linkIn, waitForMail } from '../helpers/mail.js';
import { register, startAuthorization, submit } from '../helpers/oidc.js';
import { PASSWORD, accountHelpers, mailsAbout } from '../account/account-helpers.js';

const env = useAuthFlow('first-party', { REQUIRE_EMAIL_VERIFICATION: 'true' });
const { openAccount } = accountHelpers(env);
const NEW_PASSWORD = 'the real owner takes the account back';

/** The owner's "forgot password" → link → new password, from a browser of their own. */
async function resetPassword(email: string): Promise<void> {
  const browser = new Browser(env.af.issuer);
  await submit(browser, await browser.request('/forgot-password'), '/forgot-password', { email });
  const [mail] = await mailsAbout(email, /Reset your/);
  const link = new URL(linkIn(mail!, '/reset-password'));
  const form = await browser.request(`${link.pathname}${link.search}`);
  expect((await submit(browser, form, '/reset-password', { password: NEW_PASSWORD })).status).toBe(200);
}

async function verifiedAccount(email: string): Promise<void> {
  const browser = new Browser(env.af.issuer);
  const page = await browser.follow(await register(browser, await browser.follow((await startAuthorization(env.rp)).url.toString()), { email, password: PASSWORD }));
  const [mail] = await waitForMail(email);
  const confirm = await browser.request(linkIn(mail!, '/verify-email'));
  expect((await submit(browser, confirm, '/verify-email', {})).status).toBe(200);
  expect(page.status).toBe(200);
}

describe('what a password reset takes away from whoever knew the old password', () => {
  test('a change of email they requested can no longer be completed', async () => {
    const email = uniqueEmail('victim');
    await verifiedAccount(email);
    // The attacker, with the password, asks to move the account to an address of theirs.
    const { browser } = await openAccount(email);
    const attacker = uniqueEmail('attacker');
    const form = await browser.request('/account/email');
    expect((await submit(browser, form, '/account/email', { email: attacker, current_password: PASSWORD })).status).toBe(303);
    const [change] = await waitForMail(attacker);
    await resetPassword(email);
    const link = linkIn(change!, '/verify-email');
    expect((await new Browser(env.af.issuer).request(link)).status).toBe(410);
    const stored = await env.af.container.db.sql.query<{ email: string }>('SELECT email FROM users WHERE email = $1', [email]);
    expect(stored).toHaveLength(1);
  });

  test('a verification step opened by whoever registered the address first cannot sign in after the owner reset the password', async () => {
    const email = uniqueEmail('prehijack');
    // The attacker registers the victim's address and keeps the verification page open.
    const attacker = new Browser(env.af.issuer);
    const page = await attacker.follow(await register(attacker, await attacker.follow((await startAuthorization(env.rp)).url.toString()), { email, password: PASSWORD }));
    expect(page.url).toContain('/verify?ticket=');
    // The owner takes the address back with a reset, which also proves the address is theirs.
    await resetPassword(email);
    const [user] = await env.af.container.db.sql.query<{ email_verified: boolean }>('SELECT email_verified FROM users WHERE email = $1', [email]);
    expect(user?.email_verified).toBe(true);
    // The attacker's ticket was earned with the old password: refused.
    expect((await submit(attacker, page, '/verify/continue', {})).status).toBe(403);
  });
});
