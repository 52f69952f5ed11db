import { randomUUID } from 'node:crypto';
import type { AdapterPayload } from 'oidc-provider';
import { openDatabase, type Database, type DatabaseTarget } from '../../src/db/database.js';
import { OidcStore } from '../../src/db/oidc-store.js';
import { OidcAdapter } from '../../src/oidc/adapter.js';

/**
 * node-oidc-provider's adapter contract, run against embedded PGlite always and against PostgreSQL
 * when DATABASE_URL is set. Other test files may share that database: every id is random, every
 * assertion is about rows this file created, and afterAll deletes exactly those rows.
 */
const targets: { name: string; target: DatabaseTarget }[] = [{ name: 'PGlite', target: { kind: 'pglite', dataDir: undefined } }];
if (process.env.DATABASE_URL) targets.push({ name: 'PostgreSQL', target: { kind: 'postgres', url: process.env.DATABASE_URL } });

const MODELS = [
  'Session',
  'Interaction',
  'AuthorizationCode',
  'AccessToken',
  'RefreshToken',
  'ClientCredentials',
  'Grant',
  'PushedAuthorizationRequest',
  'ReplayDetection',
  'RegistrationAccessToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'Client',
] as const;
/** Models whose instances the provider consumes, and those it revokes by grant (lib/helpers/revoke.js). */
const CONSUMABLE = ['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PushedAuthorizationRequest'];
/** Redeemable once: a second consume is a replay (src/oidc/adapter.ts). */
const SINGLE_USE = ['AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest'];
const GRANT_BOUND = ['AccessToken', 'RefreshToken', 'AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest'];
const GRACE = 10;
const TTL = 60;
/**
 * The adapters' clock runs 30 days behind real time, so purgeExpired(clock) can only delete rows that
 * expired at least 30 days ago for every other test (and for the app's own purge job) as well.
 */
const BASE = Date.now() - 30 * 86_400_000;

describe.each(targets)('OIDC adapter contract on $name', ({ target }) => {
  let db: Database;
  let store: OidcStore;
  let clock = BASE;
  const mine: string[] = [];

  const adapter = (model: string) => new OidcAdapter(store, model, { refreshTokenGraceSeconds: GRACE, now: () => clock });
  const advance = (seconds: number) => {
    clock += seconds * 1000;
  };
  const epoch = (ms: number) => Math.floor(ms / 1000);
  /** A payload shaped like the provider's for that model, with random ids. */
  function payloadFor(model: string, extra: AdapterPayload = {}): AdapterPayload {
    const id = randomUUID();
    mine.push(id);
    if (model === 'Client') return { client_id: id, client_secret: randomUUID(), redirect_uris: ['https://rp.example.test/cb'], ...extra };
    return { jti: id, kind: model, iat: epoch(clock), exp: epoch(clock) + TTL, accountId: randomUUID(), clientId: 'web-app', ...extra };
  }
  const idOf = (payload: AdapterPayload) => String(payload.jti ?? payload.client_id);
  async function save(model: string, extra: AdapterPayload = {}, expiresIn: number | undefined = model === 'Client' ? undefined : TTL) {
    const payload = payloadFor(model, extra);
    await adapter(model).upsert(idOf(payload), payload, expiresIn);
    return { id: idOf(payload), payload };
  }

  beforeAll(async () => {
    db = await openDatabase(target);
    await db.migrate();
    store = new OidcStore(db.sql);
  });
  beforeEach(() => {
    clock = BASE;
  });
  afterAll(async () => {
    if (!db) return; // beforeAll failed: nothing was opened
    await db.prisma.oidcModel.deleteMany({ where: { id: { in: mine } } });
    await db.close();
  });

  describe.each(MODELS)('%s', (model) => {
    test('upsert then find returns the payload, upsert overwrites it, an unknown id is undefined', async () => {
      const { id, payload } = await save(model);
      await expect(adapter(model).find(id)).resolves.toStrictEqual(payload);
      const replaced = { ...payload, scope: 'openid email', extra: { rev: 2 } };
      await adapter(model).upsert(id, replaced, model === 'Client' ? undefined : TTL);
      await expect(adapter(model).find(id)).resolves.toStrictEqual(replaced);
      await expect(adapter(model).find(randomUUID())).resolves.toBeUndefined();
    });

    test('an id belongs to its model: find and destroy never cross to another model', async () => {
      const other = model === 'Grant' ? 'Session' : 'Grant';
      const { id } = await save(model);
      await expect(adapter(other).find(id)).resolves.toBeUndefined();
      const otherPayload = { ...payloadFor(other), jti: id };
      await adapter(other).upsert(id, otherPayload, TTL);
      await adapter(model).destroy(id);
      await expect(adapter(model).find(id)).resolves.toBeUndefined();
      await expect(adapter(other).find(id)).resolves.toStrictEqual(otherPayload);
    });

    if (model === 'Client') {
      test('a database-stored client has no expiry', async () => {
        const { id, payload } = await save(model);
        advance(10 * 365 * 86_400);
        await expect(adapter(model).find(id)).resolves.toStrictEqual(payload);
      });
    } else {
      test('is found until expiresIn elapses and never after', async () => {
        const { id, payload } = await save(model);
        advance(TTL - 1);
        await expect(adapter(model).find(id)).resolves.toStrictEqual(payload);
        advance(1);
        await expect(adapter(model).find(id)).resolves.toBeUndefined();
        advance(3600);
        await expect(adapter(model).find(id)).resolves.toBeUndefined();
      });
    }

    test('destroy removes that record and no other', async () => {
      const gone = await save(model);
      const kept = await save(model);
      await adapter(model).destroy(gone.id);
      await expect(adapter(model).find(gone.id)).resolves.toBeUndefined();
      await expect(adapter(model).find(kept.id)).resolves.toStrictEqual(kept.payload);
      await expect(adapter(model).destroy(randomUUID())).resolves.toBeUndefined();
    });
  });

  test('a PushedAuthorizationRequest used twice at once: the second is refused with invalid_request_uri', async () => {
    const { id } = await save('PushedAuthorizationRequest');
    const results = await Promise.allSettled([adapter('PushedAuthorizationRequest').consume(id), adapter('PushedAuthorizationRequest').consume(id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.status === 'rejected' && rejected.reason).toMatchObject({ error: 'invalid_request_uri' });
  });

  test.each(CONSUMABLE.filter((m) => !SINGLE_USE.includes(m) && m !== 'PushedAuthorizationRequest'))('consuming a %s records the first consumption time; consuming again keeps it', async (model) => {
    const { id, payload } = await save(model);
    const firstConsumed = clock;
    await adapter(model).consume(id);
    advance(5);
    await adapter(model).consume(id);
    advance(GRACE); // past the refresh-token grace too, so every model reports it
    await expect(adapter(model).find(id)).resolves.toStrictEqual({ ...payload, consumed: epoch(firstConsumed) });
  });

  test.each(SINGLE_USE)('a %s redeemed twice at once: the second consume fails and revokes the whole grant', async (model) => {
    const grantId = randomUUID();
    const code = await save(model, { grantId });
    const token = await save('AccessToken', { grantId });
    const other = await save('AccessToken', { grantId: randomUUID() });
    const results = await Promise.allSettled([adapter(model).consume(code.id), adapter(model).consume(code.id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.status === 'rejected' && rejected.reason).toMatchObject({ error: 'invalid_grant' });
    await expect(adapter(model).find(code.id)).resolves.toBeUndefined();
    await expect(adapter('AccessToken').find(token.id)).resolves.toBeUndefined();
    await expect(adapter('AccessToken').find(other.id)).resolves.toStrictEqual(other.payload);
  });

  test('a consumed AuthorizationCode is reported consumed at once: codes get no grace', async () => {
    const { id, payload } = await save('AuthorizationCode');
    await adapter('AuthorizationCode').consume(id);
    await expect(adapter('AuthorizationCode').find(id)).resolves.toStrictEqual({ ...payload, consumed: epoch(clock) });
  });

  test('a rotated RefreshToken is returned without consumed within the grace and with it afterwards', async () => {
    const { id, payload } = await save('RefreshToken');
    const rotatedAt = clock;
    await adapter('RefreshToken').consume(id);
    await expect(adapter('RefreshToken').find(id)).resolves.toStrictEqual(payload);
    advance(GRACE);
    await expect(adapter('RefreshToken').find(id)).resolves.toStrictEqual(payload);
    // A racing request consuming it again inside the grace must not extend the grace.
    await adapter('RefreshToken').consume(id);
    advance(1);
    await expect(adapter('RefreshToken').find(id)).resolves.toStrictEqual({ ...payload, consumed: epoch(rotatedAt) });
  });

  test('Session.findByUid finds the live session by uid only', async () => {
    const uid = randomUUID();
    const { payload } = await save('Session', { uid, authorizations: { 'web-app': { sid: randomUUID(), grantId: randomUUID() } } });
    const sessions = adapter('Session');
    await expect(sessions.findByUid(uid)).resolves.toStrictEqual(payload);
    await expect(sessions.findByUid(randomUUID())).resolves.toBeUndefined();
    await expect(adapter('Interaction').findByUid(uid)).resolves.toBeUndefined();
    advance(TTL);
    await expect(sessions.findByUid(uid)).resolves.toBeUndefined();
  });

  test('OidcStore.findWithContext reads a token with its session, grant and account in one statement', async () => {
    // Not singleProcess: on PGlite too, the statement runs instead of the embedded artifact cache.
    const statements: string[] = [];
    const shared = new OidcStore({ ...db.sql, singleProcess: false, query: (sql, params) => (statements.push(sql), db.sql.query(sql, params)) });
    const now = () => new Date(clock);
    const userId = randomUUID();
    await db.prisma.user.create({ data: { id: userId, email: `${userId}@example.test`, emailLower: `${userId}@example.test`, roles: ['admin'] } });
    try {
      const sessionUid = randomUUID();
      const session = await save('Session', { uid: sessionUid, accountId: userId });
      const grant = await save('Grant', { accountId: userId });
      const token = await save('RefreshToken', { accountId: userId, grantId: grant.id, sessionUid });
      statements.length = 0;
      const found = await shared.findWithContext('RefreshToken', token.id, now());
      expect(statements).toHaveLength(1);
      expect(found?.token.payload).toStrictEqual(token.payload);
      expect(found?.session).toEqual({ uid: sessionUid, artifact: expect.objectContaining({ payload: session.payload, consumedAt: null }) });
      expect(found?.grant).toEqual({ id: grant.id, artifact: expect.objectContaining({ payload: grant.payload }) });
      expect(found?.account?.id).toBe(userId);
      expect(found?.account?.user).toMatchObject({ id: userId, status: 'active', roles: ['admin'] });

      // What the token names but is gone is null; what it does not name is absent.
      const orphan = await save('AccessToken', { accountId: randomUUID(), grantId: randomUUID(), sessionUid: randomUUID() });
      const alone = await save('AccessToken', { accountId: 'not-a-uuid' });
      const [gone, bare] = await Promise.all([shared.findWithContext('AccessToken', orphan.id, now()), shared.findWithContext('AccessToken', alone.id, now())]);
      expect(gone).toMatchObject({ session: { artifact: null }, grant: { artifact: null }, account: { user: null } });
      expect(bare?.session).toBeUndefined();
      expect(bare?.grant).toBeUndefined();
      expect(bare?.account).toEqual({ id: 'not-a-uuid', user: null });
      await expect(shared.findWithContext('RefreshToken', randomUUID(), now())).resolves.toBeUndefined();

      // An expired session is as good as gone, and an expired token is not found.
      const shortUid = randomUUID();
      await save('Session', { uid: shortUid, accountId: userId }, 10);
      const bound = await save('RefreshToken', { accountId: userId, sessionUid: shortUid });
      advance(11);
      await expect(shared.findWithContext('RefreshToken', bound.id, now())).resolves.toMatchObject({ session: { uid: shortUid, artifact: null } });
      advance(TTL);
      await expect(shared.findWithContext('RefreshToken', bound.id, now())).resolves.toBeUndefined();
    } finally {
      await db.prisma.user.delete({ where: { id: userId } });
    }
  });

  test('DeviceCode.findByUserCode finds the code by user code, consumed state included', async () => {
    const userCode = randomUUID().slice(0, 8).toUpperCase();
    const { id, payload } = await save('DeviceCode', { userCode, deviceInfo: { ip: '127.0.0.1', ua: 'TV' } });
    const codes = adapter('DeviceCode');
    await expect(codes.findByUserCode(userCode)).resolves.toStrictEqual(payload);
    await expect(codes.findByUserCode(randomUUID())).resolves.toBeUndefined();
    await codes.consume(id);
    await expect(codes.findByUserCode(userCode)).resolves.toStrictEqual({ ...payload, consumed: epoch(clock) });
    advance(TTL);
    await expect(codes.findByUserCode(userCode)).resolves.toBeUndefined();
  });

  test.each(GRANT_BOUND)("revokeByGrantId removes only that grant's %s", async (model) => {
    const [grantA, grantB] = [randomUUID(), randomUUID()];
    const other = model === 'AccessToken' ? 'RefreshToken' : 'AccessToken';
    const revoked = [await save(model, { grantId: grantA }), await save(model, { grantId: grantA })];
    const keptOtherGrant = await save(model, { grantId: grantB });
    const keptOtherModel = await save(other, { grantId: grantA });
    await adapter(model).revokeByGrantId(grantA);
    for (const { id } of revoked) await expect(adapter(model).find(id)).resolves.toBeUndefined();
    await expect(adapter(model).find(keptOtherGrant.id)).resolves.toStrictEqual(keptOtherGrant.payload);
    await expect(adapter(other).find(keptOtherModel.id)).resolves.toStrictEqual(keptOtherModel.payload);
  });

  test('OidcStore.destroyByAccountId removes everything one account holds and nothing of another', async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    const held = [
      await save('Session', { accountId: alice, uid: randomUUID() }),
      await save('Grant', { accountId: alice }),
      await save('AccessToken', { accountId: alice }),
      await save('RefreshToken', { accountId: alice }),
    ];
    const bobs = await save('AccessToken', { accountId: bob });
    await expect(store.destroyByAccountId(alice)).resolves.toBe(held.length);
    const models = ['Session', 'Grant', 'AccessToken', 'RefreshToken'];
    for (const [i, { id }] of held.entries()) await expect(adapter(models[i] ?? '').find(id)).resolves.toBeUndefined();
    await expect(adapter('AccessToken').find(bobs.id)).resolves.toStrictEqual(bobs.payload);
  });

  test('OidcStore.purgeExpired deletes expired rows and keeps live and non-expiring ones', async () => {
    const expired = await save('AccessToken', {}, TTL);
    const live = await save('Session', { uid: randomUUID() }, 10 * TTL);
    const client = await save('Client');
    advance(TTL);
    await expect(store.purgeExpired(new Date(clock))).resolves.toBeGreaterThanOrEqual(1);
    const ids = [expired.id, live.id, client.id];
    // Read the table itself: find() hides expired rows whether or not they were purged.
    const rows = await db.prisma.oidcModel.findMany({ where: { id: { in: ids } }, select: { id: true } });
    expect(rows.map((row) => row.id).sort()).toStrictEqual([live.id, client.id].sort());
    await expect(adapter('Session').find(live.id)).resolves.toStrictEqual(live.payload);
  });

  test('an expiresIn of zero or less means already expired, never "no expiry"', async () => {
    const zero = await save('Session', { uid: randomUUID() }, 0);
    const negative = await save('ReplayDetection', {}, -5);
    await expect(adapter('Session').find(zero.id)).resolves.toBeUndefined();
    await expect(adapter('ReplayDetection').find(negative.id)).resolves.toBeUndefined();
    await store.purgeExpired(new Date(clock));
    const rows = await db.prisma.oidcModel.count({ where: { id: { in: [zero.id, negative.id] } } });
    expect(rows).toBe(0);
  });

  test('an upsert replaces the record: a re-saved artifact is no longer consumed', async () => {
    const { id, payload } = await save('AuthorizationCode');
    await adapter('AuthorizationCode').consume(id);
    await adapter('AuthorizationCode').upsert(id, payload, TTL);
    await expect(adapter('AuthorizationCode').find(id)).resolves.toStrictEqual(payload);
  });

  test('nested objects, arrays, unicode and JSON scalars survive the round trip', async () => {
    const rich: AdapterPayload = {
      params: { scope: 'openid profile', claims: { id_token: { email: { essential: true }, name: null } }, ui_locales: 'ja-JP zh-Hant' },
      prompt: { name: 'login', reasons: ['no_session'], details: {} },
      result: { login: { accountId: randomUUID(), amr: ['pwd', 'otp'] } },
      name: 'Zoë Ångström — 山田太郎 🦊 שָׁלוֹם \u00e9 e\u0301 "quoted" \\ back\nnew',
      nested: { deep: { deeper: [1, -2.5, 0, 1e21, true, false, null, [], {}, ['a', ['b']]] } },
      empty: '',
    };
    const { id, payload } = await save('Interaction', rich);
    await expect(adapter('Interaction').find(id)).resolves.toStrictEqual(payload);
    const client = await save('Client', { client_name: 'Fähre 渡し船 🚢', contacts: ['ops@例え.テスト'], jwks: { keys: [{ kty: 'EC', crv: 'P-256' }] } });
    await expect(adapter('Client').find(client.id)).resolves.toStrictEqual(client.payload);
  });
  test('many concurrent upserts and finds (one batched statement each) return every caller its own row', async () => {
    const saved = await Promise.all(Array.from({ length: 40 }, (_, i) => save(i % 2 ? 'AccessToken' : 'RefreshToken', { n: i })));
    const found = await Promise.all(saved.map(({ id }, i) => adapter(i % 2 ? 'AccessToken' : 'RefreshToken').find(id)));
    expect(found).toStrictEqual(saved.map((s) => s.payload));
    // Asked under the other model, the same ids in the same batch find nothing.
    const crossed = await Promise.all(saved.map(({ id }, i) => adapter(i % 2 ? 'RefreshToken' : 'AccessToken').find(id)));
    expect(crossed.every((p) => p === undefined)).toBe(true);
  });

  test('two upserts of one artifact in the same batch: the later one wins, both callers succeed', async () => {
    const { id, payload } = await save('Session');
    const first = { ...payload, rev: 1 };
    const second = { ...payload, rev: 2 };
    await Promise.all([adapter('Session').upsert(id, first, TTL), adapter('Session').upsert(id, second, TTL)]);
    await expect(adapter('Session').find(id)).resolves.toStrictEqual(second);
  });

  test('a batch that fails for one artifact still saves the others', async () => {
    const good = payloadFor('AccessToken');
    // A NUL character is valid JSON but PostgreSQL's jsonb rejects it: this upsert alone must fail.
    const bad = payloadFor('AccessToken', { text: 'nul \u0000 here' });
    const results = await Promise.allSettled([adapter('AccessToken').upsert(idOf(bad), bad, TTL), adapter('AccessToken').upsert(idOf(good), good, TTL)]);
    expect(results.map((r) => r.status)).toStrictEqual(['rejected', 'fulfilled']);
    await expect(adapter('AccessToken').find(idOf(good))).resolves.toStrictEqual(good);
    await expect(adapter('AccessToken').find(idOf(bad))).resolves.toBeUndefined();
  });
});
