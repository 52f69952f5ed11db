import { createHash, randomBytes } from 'node:crypto';

/**
 * A tiny browser for sign-ins: a cookie jar, manual redirects and "fill the first form on the
 * page". It drives AuthFlow's hosted login page and the bare provider's devInteractions alike.
 */
export const REDIRECT_URI = 'http://127.0.0.1:7777/callback';
export const SPA_CLIENT = 'bench-spa';

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** A fresh jar that keeps only the named cookies of this one: the same browser, signed out. */
  keeping(names: readonly string[]): CookieJar {
    const jar = new CookieJar();
    for (const name of names) {
      const value = this.cookies.get(name);
      if (value !== undefined) jar.cookies.set(name, value);
    }
    return jar;
  }

  header(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  store(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

export interface Tokens {
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
}

const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** The first form on a page: its action and every input's value, with login/password filled in. */
function fillForm(html: string, credentials: { login: string; password: string }): { action: string; body: string } {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error(`expected a form, got:\n${html.slice(0, 800)}`);
  const action = decode(/action="([^"]*)"/.exec(form[1] ?? '')?.[1] ?? '');
  const fields = new URLSearchParams();
  for (const input of (form[2] ?? '').matchAll(/<input\b([^>]*)>/g)) {
    const name = /name="([^"]*)"/.exec(input[1] ?? '')?.[1];
    if (!name) continue;
    const value = name === 'login' ? credentials.login : name === 'password' ? credentials.password : decode(/value="([^"]*)"/.exec(input[1] ?? '')?.[1] ?? '');
    fields.set(name, value);
  }
  return { action, body: fields.toString() };
}

async function send(jar: CookieJar, url: URL, init: { method?: string; body?: string } = {}): Promise<{ status: number; location: string | null; text: string }> {
  const headers: Record<string, string> = { accept: 'text/html', ...jar.header() };
  if (init.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body, redirect: 'manual' });
  jar.store(response.headers);
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

/**
 * One authorization-code + PKCE round trip: /auth, then whatever pages the provider shows (a
 * login form, a consent form) until it redirects to the client with a code, then /token.
 * With a live session in the jar it is just /auth → code → /token, as for a returning user.
 */
export async function authorizationCodeFlow(issuer: string, jar: CookieJar, credentials: { login: string; password: string }): Promise<Tokens> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  const auth = new URL('/auth', issuer);
  auth.search = new URLSearchParams({
    client_id: SPA_CLIENT,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();

  let url = auth;
  let response = await send(jar, url);
  for (let hop = 0; hop < 12; hop += 1) {
    if (response.status >= 300 && response.status < 400 && response.location) {
      const next = new URL(response.location, url);
      if (next.href.startsWith(REDIRECT_URI)) {
        const code = next.searchParams.get('code');
        if (!code || next.searchParams.get('state') !== state) throw new Error(`no code in ${next.href}`);
        return exchangeCode(issuer, code, verifier);
      }
      url = next;
      response = await send(jar, url);
    } else if (response.status === 200 && response.text.includes('<form')) {
      const form = fillForm(response.text, credentials);
      url = new URL(form.action, url);
      response = await send(jar, url, { method: 'POST', body: form.body });
    } else {
      throw new Error(`sign-in stopped at ${response.status} ${url.pathname}: ${response.text.slice(0, 300)}`);
    }
  }
  throw new Error('sign-in: too many redirects');
}

async function exchangeCode(issuer: string, code: string, verifier: string): Promise<Tokens> {
  const response = await fetch(new URL('/token', issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, client_id: SPA_CLIENT }).toString(),
  });
  const body = (await response.json()) as Tokens & { error?: string };
  if (!response.ok || !body.access_token) throw new Error(`code exchange failed: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** A client-credentials token for `resource`, used to pre-issue the token that introspection looks up. */
export async function clientCredentialsToken(issuer: string, basicAuth: string, resource: string): Promise<string> {
  const response = await fetch(new URL('/token', issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read', resource }).toString(),
  });
  const body = (await response.json()) as Tokens;
  if (!response.ok) throw new Error(`client credentials failed: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}
