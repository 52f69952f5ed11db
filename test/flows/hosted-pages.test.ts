import { Browser } from '../helpers/browser.js';
import { uniqueEmail, useAuthFlow } from '../helpers/harness.js';
import { register, startAuthorization, submit } from '../helpers/oidc.js';

const env = useAuthFlow();

async function loginPage(browser = new Browser(env.af.issuer)) {
  const auth = await startAuthorization(env.rp);
  return { browser, page: await browser.follow(auth.url.toString()) };
}

async function userCount(email: string): Promise<number> {
  return env.af.container.db.prisma.user.count({ where: { emailLower: email.toLowerCase() } });
}

/** The page minus what legitimately differs between two requests (uid, CSRF token, echoed login). */
function normalise(html: string, login: string): string {
  // Per-request values (uid, CSRF token, the authorization request to return to) differ by design.
  return html
    .replace(/\/interaction\/[A-Za-z0-9_-]+/g, '/interaction/UID')
    .replace(/value="[^"]*"/g, 'value=""')
    .replace(/forgot-password\?return=[^"]*/g, 'forgot-password?return=RETURN')
    .replaceAll(login, 'LOGIN');
}

describe('CSRF', () => {
  test('a registration POST without a valid token is refused with 403 and creates nothing', async () => {
    const { browser, page } = await loginPage();
    const registerLink = /href="(\/interaction\/[^"]+\/register)"/.exec(page.html)?.[1] ?? '';
    const form = Browser.form((await browser.request(registerLink)).html, '/register');
    const email = uniqueEmail('csrf');
    for (const token of [undefined, '', 'forged-token', Browser.form(page.html, '/login').fields._csrf?.slice(0, -2) + 'xx']) {
      const fields: Record<string, string> = { ...form.fields, email, password: 'a long enough passphrase' };
      if (token === undefined) delete fields._csrf;
      else fields._csrf = token;
      const res = await browser.request(form.action, { form: fields });
      expect(res.status).toBe(403);
    }
    expect(await userCount(email)).toBe(0);
  });

  test('a token issued for one interaction does not work for another', async () => {
    const a = await loginPage();
    const b = await loginPage(a.browser);
    const tokenA = Browser.form(a.page.html, '/login').fields._csrf ?? '';
    const formB = Browser.form(b.page.html, '/login');
    const res = await b.browser.request(formB.action, { form: { ...formB.fields, _csrf: tokenA, login: 'x@example.test', password: 'whatever-password' } });
    expect(res.status).toBe(403);
  });
});

describe('no user enumeration on sign-in', () => {
  test('a wrong password and an unknown account get the same status and text', async () => {
    const email = uniqueEmail('known');
    const reg = await loginPage();
    await register(reg.browser, reg.page, { email, password: 'the right passphrase' });
    const unknownEmail = uniqueEmail('unknown');
    const wrong = await loginPage();
    const wrongRes = await submit(wrong.browser, wrong.page, '/login', { login: email, password: 'not the passphrase' });
    const unknown = await loginPage();
    const unknownRes = await submit(unknown.browser, unknown.page, '/login', { login: unknownEmail, password: 'not the passphrase' });
    expect(wrongRes.status).toBe(401);
    expect(unknownRes.status).toBe(wrongRes.status);
    expect(normalise(unknownRes.html, unknownEmail)).toBe(normalise(wrongRes.html, email));
    expect(wrongRes.html).toContain('The email, username or password is not correct.');
    // The typed login is kept, the password never is.
    expect(wrongRes.html).toContain(`value="${email}"`);
    expect(wrongRes.html).not.toContain('not the passphrase');
  });

  test('a login with a NUL byte (no database can store one) is an ordinary failed sign-in, not a 500', async () => {
    const { browser, page } = await loginPage();
    const res = await submit(browser, page, '/login', { login: 'nul\u0000byte@example.test', password: 'not the passphrase' });
    expect(res.status).toBe(401);
    expect(res.html).toContain('The email, username or password is not correct.');
  });
});

describe('registration', () => {
  test.each([
    ['too short', 'short12', 'Use at least 8 characters.'],
    ['common', 'password123', 'This password is too common.'],
  ])('a %s password is refused with the input kept', async (_label, password, text) => {
    const { browser, page } = await loginPage();
    const email = uniqueEmail('pw');
    const res = await register(browser, page, { email, password, name: 'Kept Name' });
    expect(res.status).toBe(400);
    expect(res.html).toContain(text);
    expect(res.html).toContain('value="Kept Name"');
    expect(res.html).not.toContain(password);
    expect(await userCount(email)).toBe(0);
  });

  test('a 64-character password with any characters is accepted, exactly as typed', async () => {
    const { browser, page } = await loginPage();
    const email = uniqueEmail('long');
    const password = 'Ünïcødé 🙂 passphrase with spaces and symbols !@#$%^&*() ok ok'.slice(0, 64);
    const done = await browser.follow(await register(browser, page, { email, password }));
    expect(done.url).toContain('/callback');
    await expect(env.af.container.users.authenticate(email, password)).resolves.toMatchObject({ ok: true, user: { email } });
    await expect(env.af.container.users.authenticate(email, password.toUpperCase())).resolves.toMatchObject({ ok: false });
  });

  test('the same email in another case is taken', async () => {
    const email = uniqueEmail('dup');
    const first = await loginPage();
    await register(first.browser, first.page, { email, password: 'first account passphrase' });
    const second = await loginPage();
    const res = await register(second.browser, second.page, { email: email.toUpperCase(), password: 'second account passphrase' });
    expect(res.status).toBe(409);
    expect(await userCount(email)).toBe(1);
  });

  test('hostile input is escaped and invalid fields are named', async () => {
    const { browser, page } = await loginPage();
    const res = await register(browser, page, { email: '<script>alert(1)</script>', password: 'a long enough passphrase', name: '"><img src=x onerror=alert(1)>' });
    expect(res.status).toBe(400);
    expect(res.html).not.toContain('<script>alert(1)</script>');
    expect(res.html).not.toContain('<img src=x');
    expect(res.html).toContain('Enter a valid email address.');
  });
});

describe('bad requests get a clear 4xx and no stack trace', () => {
  test('an oversized form is refused with 413', async () => {
    const { browser, page } = await loginPage();
    const form = Browser.form(page.html, '/login');
    const res = await browser.request(form.action, { form: { ...form.fields, login: 'x', password: 'y'.repeat(100_000) } });
    expect(res.status).toBe(413);
    expect(res.html).not.toMatch(/at \w+ \(|node_modules/);
  });

  test('JSON to a form endpoint is refused with 415', async () => {
    const { browser, page } = await loginPage();
    const form = Browser.form(page.html, '/login');
    const res = await browser.request(form.action, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(415);
  });

  test('a repeated field is refused with 400', async () => {
    const { page } = await loginPage();
    const form = Browser.form(page.html, '/login');
    // The body is refused before the interaction is even looked up, so no cookie is needed.
    const body = `${new URLSearchParams(form.fields).toString()}&login=a&login=b&password=x`;
    const res = await fetch(new URL(form.action, env.af.issuer), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' });
    expect(res.status).toBe(400);
  });

  test('an unknown or expired interaction shows a page to start again, not a 500', async () => {
    const browser = new Browser(env.af.issuer);
    const res = await browser.request('/interaction/abcdefghijklmnopqrstu');
    expect(res.status).toBe(410);
    expect(res.html).toContain('Your sign-in expired');
    const { browser: b2, page } = await loginPage();
    const form = Browser.form(page.html, '/login');
    const gone = await new Browser(env.af.issuer).request(form.action, { form: { ...form.fields, login: 'a', password: 'b' } });
    expect(gone.status).toBe(410);
    expect(gone.html).toContain('href="/auth?');
    const restart = /href="(\/auth\?[^"]+)"/.exec(gone.html)?.[1]?.replaceAll('&amp;', '&') ?? '';
    const again = await b2.follow(restart);
    expect(again.status).toBe(200);
    expect(again.html).toContain('autocomplete="current-password"');
  });

  test('unknown paths are 404 without internals', async () => {
    const res = await fetch(new URL('/no/such/page', env.af.issuer), { headers: { accept: 'application/json' } });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toMatch(/stack|node_modules|at \w+ \(/);
  });
});

describe('page security', () => {
  test('hosted pages carry a strict CSP, nosniff, no-referrer and HttpOnly SameSite cookies', async () => {
    const browser = new Browser(env.af.issuer);
    const auth = await startAuthorization(env.rp);
    const first = await browser.request(auth.url.toString());
    for (const cookie of first.headers.getSetCookie()) {
      expect(cookie.toLowerCase()).toContain('httponly');
      expect(cookie.toLowerCase()).toContain('samesite=lax');
    }
    const { page } = await loginPage(browser);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.html).not.toMatch(/<script(?![^>]*src=)/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.html).toContain('autocomplete="username"');
    expect(page.html).toContain('autocomplete="current-password"');
  });

  test("the provider's pages get the document headers; its JSON endpoints nosniff and their JSON type", async () => {
    const issuer = env.af.issuer;
    for (const res of [
      await fetch(new URL('/session/end', issuer)),
      await fetch(new URL('/auth?client_id=no-such-client&response_type=code&scope=openid', issuer)),
    ]) {
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    for (const res of [
      await fetch(new URL('/.well-known/openid-configuration', issuer)),
      await fetch(new URL('/jwks?cache=bust', issuer)),
      await fetch(new URL('/token', issuer), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token' }),
      await fetch(new URL('/me', issuer)),
    ]) {
      expect(res.headers.get('content-type')).toMatch(/^application\/(json|jwk-set\+json)/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBeNull();
    }
  });

  test('health and readiness answer JSON', async () => {
    const health = await fetch(new URL('/healthz', env.af.issuer));
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(new URL('/readyz', env.af.issuer));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });
});
