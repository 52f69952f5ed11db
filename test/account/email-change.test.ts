import { Browser, type PageResponse } from '../helpers/browser.js';
import { uniqueEmail, useAuthFlow } from '../helpers/harness.js';
import { codeIn, linkIn, waitForMail } from '../helpers/mail.js';
import { submit } from '../helpers/oidc.js';
import { PASSWORD, accountHelpers, mailsAbout } from './account-helpers.js';

const env = useAuthFlow();
const { accountWithRefreshToken, openAccount, canSignIn } = accountHelpers(env);

describe('changing the email address', () => {
  async function requestChange(browser: Browser, email: string, password = PASSWORD): Promise<PageResponse> {
    const form = await browser.request('/account/email');
    expect(form.status).toBe(200);
    return submit(browser, form, '/account/email', { email, current_password: password });
  }

  test('the code sent to the new address moves the account; the old address is told', async () => {
    const email = uniqueEmail('old');
    await accountWithRefreshToken(email);
    const { browser } = await openAccount(email);
    const next = uniqueEmail('new');
    expect((await requestChange(browser, next, 'wrong password here')).status).toBe(400);
    const sent = await requestChange(browser, next);
    expect(sent.status).toBe(303);
    const codePage = await browser.follow(sent);
    expect(codePage.url).toBe(`${env.af.issuer}/account/email/verify`);
    expect(codePage.html).toContain(next);

    const [mail] = await waitForMail(next);
    expect(linkIn(mail!, '/verify-email')).toMatch(/token=/);
    const code = codeIn(mail!);
    // Nothing moves before the new address is proven.
    expect((await browser.request('/account')).html).toContain(email);
    expect(await canSignIn(next, PASSWORD)).toBe(false);

    const wrong = await submit(browser, codePage, '/account/email/verify', { code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    const done = await submit(browser, codePage, '/account/email/verify', { code });
    expect(done.status).toBe(303);
    const account = await browser.follow(done);
    expect(account.html).toContain(next);
    expect(account.html).not.toContain(email);
    expect(await canSignIn(next, PASSWORD)).toBe(true);
    const [notice] = await mailsAbout(email, /email address of your .* was changed/);
    expect(notice?.text).toContain(next);
  });

  test('the link in the email works too', async () => {
    const email = uniqueEmail('old-link');
    await accountWithRefreshToken(email);
    const { browser } = await openAccount(email);
    const next = uniqueEmail('new-link');
    expect((await requestChange(browser, next)).status).toBe(303);
    const [mail] = await waitForMail(next);
    const linkBrowser = new Browser(env.af.issuer);
    const confirm = await linkBrowser.request(linkIn(mail!, '/verify-email'));
    expect(confirm.status).toBe(200);
    const done = await submit(linkBrowser, confirm, '/verify-email', {});
    expect(done.status).toBe(200);
    expect((await browser.follow('/account/email/verify')).html).toContain(next);
    await mailsAbout(email, /email address of your .* was changed/);
  });

  test('an address another account uses is refused the way registration refuses it', async () => {
    const email = uniqueEmail('mine');
    const taken = uniqueEmail('theirs');
    await accountWithRefreshToken(email);
    await accountWithRefreshToken(taken);
    const { browser } = await openAccount(email);
    const refused = await requestChange(browser, taken.toUpperCase());
    expect(refused.status).toBe(409);
    expect(refused.html).toContain('An account with this email or username already exists');
  });
});
