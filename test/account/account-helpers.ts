import * as client from 'openid-client';
import { Browser, type PageResponse } from '../helpers/browser.js';
import type { Harness } from '../helpers/harness.js';
import { mailsTo, type ReceivedMail } from '../helpers/mail.js';
import { callbackFrom, register, startAuthorization, submit } from '../helpers/oidc.js';

export const PASSWORD = 'correct horse battery staple';

/** What the account tests do again and again, against the AuthFlow of `useAuthFlow()`. */
export function accountHelpers(env: { readonly af: Harness; readonly rp: client.Configuration }) {
  /** A new account, registered through an app that holds a refresh token, as a second device would. */
  async function accountWithRefreshToken(email: string): Promise<string> {
    const browser = new Browser(env.af.issuer);
    const auth = await startAuthorization(env.rp, { scope: 'openid email offline_access' });
    const loginPage = await browser.follow(auth.url.toString());
    const callback = await callbackFrom(browser, await browser.follow(await register(browser, loginPage, { email, password: PASSWORD })));
    const tokens = await client.authorizationCodeGrant(env.rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
    return tokens.refresh_token ?? '';
  }

  /** Opens /account in a fresh browser and signs in on the way. */
  async function openAccount(email: string, password = PASSWORD): Promise<{ browser: Browser; page: PageResponse }> {
    const browser = new Browser(env.af.issuer);
    const start = await browser.request('/account');
    expect(start.status).toBe(302);
    expect(start.headers.get('location')).toMatch(new RegExp(`^${env.af.issuer}/auth\\?`));
    const loginPage = await browser.follow(start);
    const page = await browser.follow(await submit(browser, loginPage, '/login', { login: email, password }));
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${env.af.issuer}/account`);
    return { browser, page };
  }

  async function canSignIn(email: string, password: string): Promise<boolean> {
    const browser = new Browser(env.af.issuer);
    const loginPage = await browser.follow((await startAuthorization(env.rp)).url.toString());
    return (await submit(browser, loginPage, '/login', { login: email, password })).status === 303;
  }

  return { accountWithRefreshToken, openAccount, canSignIn };
}

/** Waits for `count` emails to the address whose subject matches (registration sent a verification email first). */
export async function mailsAbout(email: string, subject: RegExp, count = 1): Promise<ReceivedMail[]> {
  for (let i = 0; i < 100; i++) {
    const found = (await mailsTo(email)).filter((m) => subject.test(m.subject));
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`expected ${count} mail(s) about ${subject} to ${email}`);
}
