import { Browser } from './helpers/browser.js';
import { startAuthFlow, uniqueEmail, type Harness } from './helpers/harness.js';
import { submit } from './helpers/oidc.js';

let af: Harness;
beforeAll(async () => {
  af = await startAuthFlow({ DEMO_ENABLED: 'true', CLIENTS_FILE: 'clients.json' });
});
afterAll(() => af.close());

function claimsOf(html: string): Record<string, unknown> {
  const block = /<pre id="id-token-claims">([\s\S]*?)<\/pre>/.exec(html)?.[1] ?? '{}';
  return JSON.parse(block.replaceAll('&#34;', '"').replaceAll('&quot;', '"')) as Record<string, unknown>;
}

test('the demo app signs a new user in with the shipped demo client, refreshes and signs out', async () => {
  const browser = new Browser(af.issuer);
  const home = await browser.request('/');
  expect(home.html).toContain('href="/demo"');
  const signedOut = await browser.request('/demo');
  expect(signedOut.html).toContain('Sign in with AuthFlow');

  const loginPage = await browser.follow('/demo/login');
  expect(loginPage.html).toContain('AuthFlow demo');
  const registerLink = /href="(\/interaction\/[^"]+\/register)"/.exec(loginPage.html)?.[1] ?? '';
  const email = uniqueEmail('demo');
  const form = await browser.request(registerLink);
  const signedIn = await browser.follow(await submit(browser, form, '/register', { email, password: 'demo passphrase 2026', name: 'Demo User' }));
  expect(signedIn.url).toBe(`${af.issuer}/demo`);
  expect(claimsOf(signedIn.html)).toMatchObject({ iss: af.issuer, aud: 'demo' });
  expect(signedIn.html).toContain(email);
  expect(signedIn.html).toMatch(/Expires in <strong>\d+<\/strong> seconds/);

  const refreshed = await browser.follow(await submit(browser, signedIn, '/demo/refresh', {}));
  expect(refreshed.html).toContain('Last refreshed at');

  const confirm = await browser.follow(await submit(browser, refreshed, '/demo/logout', {}));
  expect(confirm.html).toContain('op.logoutForm');
  const { action, fields } = Browser.form(confirm.html, 'logout');
  const done = await browser.follow(await browser.request(action, { form: { ...fields, logout: 'yes' } }));
  expect(done.url).toBe(`${af.issuer}/demo`);
  expect(done.html).toContain('Sign in with AuthFlow');
});

test('a forged or replayed demo callback is a 400, not a server error', async () => {
  const res = await new Browser(af.issuer).request('/demo/callback?code=forged&state=x');
  expect(res.status).toBe(400);
});

test('demo POSTs without the CSRF token are refused', async () => {
  const res = await new Browser(af.issuer).request('/demo/refresh', { form: { _csrf: 'nope' } });
  expect(res.status).toBe(403);
});

test('the demo is off in production unless enabled, and so is its client', async () => {
  const prod = await startAuthFlow({ NODE_ENV: 'production', COOKIE_KEYS: 'k'.repeat(40), CLIENTS_FILE: 'clients.json' });
  try {
    expect((await fetch(new URL('/demo', prod.issuer))).status).toBe(404);
    const auth = await fetch(new URL(`/auth?client_id=demo&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(`${prod.issuer}/demo/callback`)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`, prod.issuer), { redirect: 'manual' });
    expect(auth.status).toBe(400);
    expect(await auth.text()).toContain('invalid_client');
  } finally {
    await prod.close();
  }
});
