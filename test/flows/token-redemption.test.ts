import * as client from 'openid-client';
import type { SqlDriver } from '../../src/db/sql.js';
import { Browser } from '../helpers/browser.js';
import { uniqueEmail, useAuthFlow } from '../helpers/harness.js';
import { callbackFrom, register, startAuthorization } from '../helpers/oidc.js';

/**
 * Redeeming a code or a refresh token reads the token's session, grant and account with it, and
 * starts its writes together; the response waits for them (src/oidc/request-scope.ts). These tests
 * count what reaches the database and check that nothing is answered that was not stored.
 */
const env = useAuthFlow();
const PASSWORD = 'correct horse battery staple';

async function signedIn(scope = 'openid profile email') {
  const browser = new Browser(env.af.issuer);
  const auth = await startAuthorization(env.rp, { scope });
  const loginPage = await browser.follow(auth.url.toString());
  const callback = await callbackFrom(browser, await browser.follow(await register(browser, loginPage, { email: uniqueEmail('redeem'), password: PASSWORD })));
  return client.authorizationCodeGrant(env.rp, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce });
}

/** Records the first word of every statement the store and the users repository send while `fn` runs. */
async function statementsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const sql: SqlDriver = env.af.container.db.sql;
  const original = sql.query;
  const seen: string[] = [];
  sql.query = <T,>(text: string, params?: unknown[]) => {
    seen.push(text.includes('LEFT JOIN users') ? 'SELECT-WITH-CONTEXT' : (text.trim().split(/\s+/)[0] ?? ''));
    return original.call(sql, text, params) as Promise<T[]>;
  };
  try {
    await fn();
  } finally {
    sql.query = original;
  }
  return seen;
}

function refreshRequest(refreshToken: string) {
  return fetch(new URL('/token', env.af.issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'first-party', refresh_token: refreshToken }),
  });
}

describe('redeeming tokens', () => {
  test('a refresh reads once and writes the rotated token and the new tokens without a read in between', async () => {
    const tokens = await signedIn();
    let refreshed: client.TokenEndpointResponse | undefined;
    const seen = await statementsDuring(async () => {
      refreshed = await client.refreshTokenGrant(env.rp, tokens.refresh_token ?? '');
    });
    expect(refreshed?.refresh_token).toEqual(expect.any(String));
    const reads = seen.filter((s) => s.startsWith('SELECT'));
    // Embedded, the token, session and grant this process wrote come from memory: only the account
    // is read. On PostgreSQL the token, its session, grant and account come in one statement.
    expect(reads).toEqual([env.af.container.db.sql.singleProcess ? 'SELECT' : 'SELECT-WITH-CONTEXT']);
    expect(seen.filter((s) => s === 'UPDATE')).toHaveLength(1);
    expect(seen.filter((s) => s === 'INSERT').length).toBeGreaterThanOrEqual(1);
    expect(seen.filter((s) => s === 'INSERT').length).toBeLessThanOrEqual(2);
  });

  test('the answer waits for its writes: the new refresh token works at once, even when the database is slow', async () => {
    const tokens = await signedIn();
    const store = env.af.container.oidcStore;
    const upsert = store.upsert.bind(store);
    store.upsert = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return upsert(...args);
    };
    let second: client.TokenEndpointResponse;
    try {
      second = await client.refreshTokenGrant(env.rp, tokens.refresh_token ?? '');
    } finally {
      store.upsert = upsert;
    }
    const third = await client.refreshTokenGrant(env.rp, second.refresh_token ?? '');
    expect(third.access_token).toEqual(expect.any(String));
    await expect(client.fetchUserInfo(env.rp, second.access_token, tokens.claims()?.sub ?? '')).resolves.toMatchObject({ sub: tokens.claims()?.sub });
  });

  test('a write that fails turns the answer into server_error, hands out no token, and the old one still works in its grace', async () => {
    const tokens = await signedIn();
    const store = env.af.container.oidcStore;
    const upsert = store.upsert.bind(store);
    store.upsert = async (model, ...rest) => {
      if (model === 'RefreshToken') throw new Error('the database went away');
      return upsert(model, ...rest);
    };
    let res: Response;
    try {
      res = await refreshRequest(tokens.refresh_token ?? '');
    } finally {
      store.upsert = upsert;
    }
    expect(res.status).toBe(500);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ error: 'server_error', error_description: expect.any(String) });
    expect(JSON.stringify(body)).not.toMatch(/database went away|at \w+ \(/);
    // The rotated token was consumed, but a retry within the grace is a race, not a replay.
    const retry = await client.refreshTokenGrant(env.rp, tokens.refresh_token ?? '');
    expect(retry.refresh_token).toEqual(expect.any(String));
  });

  test('an account disabled behind the tokens back is refused at the next refresh and at userinfo', async () => {
    const tokens = await signedIn();
    const sub = tokens.claims()?.sub ?? '';
    // Only the status changes here: disabling through the service would also delete the tokens.
    await env.af.container.db.sql.query(`UPDATE users SET status = 'disabled' WHERE id = $1::uuid`, [sub]);
    try {
      await expect(client.refreshTokenGrant(env.rp, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
      await expect(client.fetchUserInfo(env.rp, tokens.access_token, sub)).rejects.toBeDefined();
    } finally {
      await env.af.container.db.sql.query(`UPDATE users SET status = 'active' WHERE id = $1::uuid`, [sub]);
    }
  });

  test('a refresh token bound to a session that ended is refused, though the token itself is still stored', async () => {
    const tokens = await signedIn();
    const sub = tokens.claims()?.sub ?? '';
    const sessions = await env.af.container.db.sql.query<{ id: string }>(`SELECT id FROM oidc_models WHERE model = 'Session' AND account_id = $1`, [sub]);
    expect(sessions).toHaveLength(1);
    await env.af.container.oidcStore.destroy('Session', sessions[0]?.id ?? '');
    await expect(client.refreshTokenGrant(env.rp, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
