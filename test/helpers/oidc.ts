import * as client from 'openid-client';
import { Browser, type PageResponse } from './browser.js';

export const REDIRECT_URI = 'http://127.0.0.1:7777/callback';

export async function discover(issuer: string, clientId: string, secret?: string): Promise<client.Configuration> {
  return client.discovery(new URL(issuer), clientId, undefined, secret ? client.ClientSecretBasic(secret) : client.None(), {
    execute: [client.allowInsecureRequests],
  });
}

export interface StartedAuthorization {
  readonly url: URL;
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
}

export async function startAuthorization(config: client.Configuration, params: Record<string, string> = {}): Promise<StartedAuthorization> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url, verifier, state, nonce };
}

/** Submits a hosted form found on the page, with the given fields filled in. */
export async function submit(browser: Browser, page: PageResponse, actionPart: string, values: Record<string, string>): Promise<PageResponse> {
  const { action, fields } = Browser.form(page.html, actionPart);
  return browser.request(action, { form: { ...fields, ...values } });
}

export async function register(browser: Browser, loginPage: PageResponse, account: { email: string; password: string; name?: string; username?: string }): Promise<PageResponse> {
  const registerLink = /href="(\/interaction\/[^"]+\/register)"/.exec(loginPage.html)?.[1];
  if (!registerLink) throw new Error('no registration link on the login page');
  const form = await browser.request(registerLink);
  return submit(browser, form, '/register', { email: account.email, password: account.password, name: account.name ?? '', username: account.username ?? '' });
}

/** Runs a whole sign-in in the browser and returns the callback URL the relying party receives. */
export async function signIn(browser: Browser, auth: StartedAuthorization, account: { email: string; password: string }): Promise<URL> {
  const loginPage = await browser.follow(auth.url.toString());
  const afterLogin = await browser.follow(await submit(browser, loginPage, '/login', { login: account.email, password: account.password }));
  return callbackFrom(browser, afterLogin);
}

/** Accepts the consent screen when one is shown, then returns the callback URL. */
export async function callbackFrom(browser: Browser, page: PageResponse): Promise<URL> {
  let current = page;
  if (current.status === 200 && current.html.includes('/consent')) {
    current = await browser.follow(await submit(browser, current, '/consent', { decision: 'allow' }));
  }
  const url = new URL(current.url);
  if (!url.toString().startsWith(REDIRECT_URI)) throw new Error(`expected a redirect to the client, got ${current.status} ${current.url}\n${current.html.slice(0, 1500)}`);
  return url;
}
