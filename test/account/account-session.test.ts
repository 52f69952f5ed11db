import type { OidcStore } from '../../src/db/oidc-store.js';
import { ACCOUNT_SESSION_SECONDS, AccountSessions } from '../../src/account/account-session.js';

/** A cookie jar standing in for Koa's; signing is Koa's job and is covered by the flow tests. */
function jar() {
  const cookies = new Map<string, string>();
  return {
    cookies: {
      get: (name: string) => cookies.get(name),
      set(name: string, value?: string | null) {
        if (value) cookies.set(name, value);
        else cookies.delete(name);
        return this;
      },
    },
    raw: cookies,
  };
}

type Ctx = Parameters<AccountSessions['current']>[0];
const asCtx = (j: ReturnType<typeof jar>) => j as unknown as Ctx;

function sessions(live: Map<string, string>, clock: { now: number }) {
  const store = {
    find: async (_model: string, lookup: { uid: string }) => {
      const accountId = live.get(lookup.uid);
      return accountId ? { payload: { accountId }, consumedAt: null } : undefined;
    },
  } as unknown as OidcStore;
  return new AccountSessions({ secureCookies: false, store, now: () => clock.now });
}

describe('account session cookie', () => {
  const sub = '6f1c2a4e-1111-4222-8333-944455556666';

  test('lasts 15 minutes, and only while the provider session of the same account exists', async () => {
    const live = new Map([['session-uid', sub]]);
    const clock = { now: Date.now() };
    const accounts = sessions(live, clock);
    const browser = jar();
    accounts.start(asCtx(browser), { sub, sid: 'session-uid' });
    expect(await accounts.current(asCtx(browser))).toMatchObject({ sub, sid: 'session-uid' });
    clock.now += (ACCOUNT_SESSION_SECONDS - 5) * 1000;
    expect(await accounts.current(asCtx(browser))).toBeDefined();
    clock.now += 10_000;
    expect(await accounts.current(asCtx(browser))).toBeUndefined();

    clock.now = Date.now();
    accounts.start(asCtx(browser), { sub, sid: 'session-uid' });
    live.set('session-uid', 'someone-else');
    expect(await accounts.current(asCtx(browser))).toBeUndefined();
    live.delete('session-uid');
    expect(await accounts.current(asCtx(browser))).toBeUndefined();
  });

  test('a malformed cookie is no session', async () => {
    const accounts = sessions(new Map(), { now: Date.now() });
    const browser = jar();
    for (const value of ['not base64 json', Buffer.from('{"sub":1}').toString('base64url')]) {
      browser.raw.set('authflow_account', value);
      expect(await accounts.current(asCtx(browser))).toBeUndefined();
    }
  });
});
