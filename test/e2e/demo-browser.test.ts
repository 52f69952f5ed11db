import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startAuthFlow, uniqueEmail, type Harness } from '../helpers/harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let af: Harness;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  // As a newcomer runs it: email verification on, and no SMTP, so mail goes to the /dev/mail outbox.
  af = await startAuthFlow({ DEMO_ENABLED: 'true', CLIENTS_FILE: 'clients.json', SMTP_URL: '', REQUIRE_EMAIL_VERIFICATION: 'true' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
  await af?.close();
});

test('a new user opens the demo, registers, sees the claims, refreshes and signs out', async () => {
  const email = uniqueEmail('browser');
  await page.goto(`${af.issuer}/`);
  await page.getByRole('link', { name: 'Try a sign-in with the demo app' }).click();
  await page.getByRole('link', { name: 'Sign in with AuthFlow' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByRole('link', { name: 'Create one' }).click();

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Full name (optional)').fill('Browser User');
  await page.getByLabel('Password').fill('browser passphrase 2026');
  await page.getByRole('button', { name: 'Create account' }).click();

  // The verification page points at the development outbox; the code from the email finishes the sign-in.
  await page.getByRole('heading', { name: 'Confirm your email address' }).waitFor();
  const mail = await browser.newPage();
  await mail.goto(`${af.issuer}/dev/mail`);
  await mail.locator('.mail-list a').first().click();
  const text = (await mail.locator('.mail-text').textContent()) ?? '';
  expect(text).toContain(`${af.issuer}/verify-email?token=`);
  const code = /(?<!\d)\d{6}(?!\d)/.exec(text)?.[0] ?? '';
  await mail.close();
  await page.getByLabel('Code from the email').fill(code);
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();

  await page.waitForURL(`${af.issuer}/demo`);
  const claims = JSON.parse((await page.locator('#id-token-claims').textContent()) ?? '{}') as Record<string, unknown>;
  expect(claims).toMatchObject({ iss: af.issuer, aud: 'demo' });
  const userinfo = JSON.parse((await page.locator('#userinfo').textContent()) ?? '{}') as Record<string, unknown>;
  expect(userinfo).toMatchObject({ email, email_verified: true, name: 'Browser User', sub: claims.sub });
  await page.screenshot({ path: path.join(tmpdir(), 'authflow-demo-signed-in.png'), fullPage: true });

  await page.getByRole('button', { name: 'Refresh tokens' }).click();
  await page.locator('#refreshed-at').waitFor();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await page.waitForURL(`${af.issuer}/demo`);
  await page.getByRole('link', { name: 'Sign in with AuthFlow' }).waitFor();

  // Signed out of AuthFlow too: signing in again asks for the password.
  await page.getByRole('link', { name: 'Sign in with AuthFlow' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email or username').fill(email);
  await page.getByLabel('Password').fill('browser passphrase 2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${af.issuer}/demo`);
  expect(await page.locator('#userinfo').textContent()).toContain(email);
});
