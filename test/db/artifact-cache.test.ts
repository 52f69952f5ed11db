import { randomUUID } from 'node:crypto';
import { openDatabase, type Database } from '../../src/db/database.js';
import { OidcStore } from '../../src/db/oidc-store.js';
import type { SqlDriver } from '../../src/db/sql.js';

/**
 * The embedded store remembers what it wrote (src/db/artifact-cache.ts). These tests count the
 * statements that reach PGlite and check that every way an artifact can change or go away is seen
 * by the next read.
 */
describe('OIDC artifacts read back on the embedded database', () => {
  let db: Database;
  const statements: string[] = [];
  const counting = (singleProcess: boolean): SqlDriver => ({
    ...db.sql,
    singleProcess,
    query: (sql, params) => {
      statements.push(sql.trim().split(/\s+/)[0] ?? '');
      return db.sql.query(sql, params);
    },
  });
  const soon = () => new Date(Date.now() + 60_000);
  const now = () => new Date();
  const selects = () => statements.filter((s) => s === 'SELECT').length;

  beforeAll(async () => {
    db = await openDatabase({ kind: 'pglite', dataDir: undefined });
    await db.migrate();
  });
  beforeEach(() => {
    statements.length = 0;
  });
  afterAll(() => db.close());

  test('what this process wrote is read back without a statement; on a shared database every read asks it', async () => {
    expect(db.sql.singleProcess).toBe(true);
    for (const [singleProcess, expected] of [[true, 0], [false, 2]] as const) {
      const store = new OidcStore(counting(singleProcess));
      const id = randomUUID();
      await store.upsert('Interaction', id, { jti: id, kind: 'Interaction', uid: id }, soon());
      await store.upsert('Session', `s-${id}`, { jti: `s-${id}`, kind: 'Session', uid: `u-${id}` }, soon());
      statements.length = 0;
      await expect(store.findById('Interaction', id, now())).resolves.toMatchObject({ payload: { jti: id }, consumedAt: null });
      await expect(store.find('Session', { uid: `u-${id}` }, now())).resolves.toMatchObject({ payload: { jti: `s-${id}` } });
      expect(selects()).toBe(expected);
    }
  });

  test('a destroy, a consume and deletes by grant, by account and by expiry are all seen by the next read', async () => {
    const store = new OidcStore(db.sql);
    const grantId = randomUUID();
    const accountId = randomUUID();
    const token = randomUUID();
    const refresh = randomUUID();
    const session = randomUUID();
    const interaction = randomUUID();
    await store.upsert('AccessToken', token, { jti: token, grantId }, soon());
    await store.upsert('RefreshToken', refresh, { jti: refresh, grantId }, soon());
    await store.upsert('Session', session, { jti: session, uid: `u-${session}`, accountId }, soon());
    await store.upsert('Interaction', interaction, { jti: interaction }, soon());
    // Read once each, so that every one of them is served from memory before it changes.
    for (const [model, id] of [['AccessToken', token], ['RefreshToken', refresh], ['Interaction', interaction]] as const) {
      await expect(store.findById(model, id, now())).resolves.toBeDefined();
    }

    expect(await store.consume('RefreshToken', refresh, now())).toBe(true);
    expect((await store.findById('RefreshToken', refresh, now()))?.consumedAt).toBeInstanceOf(Date);

    await store.destroy('Interaction', interaction);
    await expect(store.findById('Interaction', interaction, now())).resolves.toBeUndefined();

    await store.destroyByGrantId('AccessToken', grantId);
    await expect(store.findById('AccessToken', token, now())).resolves.toBeUndefined();

    await expect(store.find('Session', { uid: `u-${session}` }, now())).resolves.toBeDefined();
    expect(await store.destroyByAccountId(accountId)).toBe(1);
    await expect(store.find('Session', { uid: `u-${session}` }, now())).resolves.toBeUndefined();

    const shortLived = randomUUID();
    await store.upsert('AuthorizationCode', shortLived, { jti: shortLived }, new Date(Date.now() + 1000));
    await expect(store.findById('AuthorizationCode', shortLived, now())).resolves.toBeDefined();
    await expect(store.findById('AuthorizationCode', shortLived, new Date(Date.now() + 2000))).resolves.toBeUndefined();
  });

  test('a caller changing the payload it was given does not change what the next reader gets', async () => {
    const store = new OidcStore(db.sql);
    const id = randomUUID();
    await store.upsert('Grant', id, { jti: id, openid: { scope: 'openid' } }, soon());
    const first = await store.findById('Grant', id, now());
    (first?.payload.openid as { scope: string }).scope = 'openid email admin';
    await expect(store.findById('Grant', id, now())).resolves.toMatchObject({ payload: { openid: { scope: 'openid' } } });
  });

  test('a read that was under way while the artifact was destroyed does not bring it back', async () => {
    const store = new OidcStore(db.sql);
    const id = randomUUID();
    // Written by "someone else" (as after a restart): not in memory, so the read goes to the database.
    await db.sql.query(`INSERT INTO oidc_models (model, id, payload, expires_at) VALUES ('Session', $1, $2::jsonb, $3)`, [id, JSON.stringify({ jti: id }), soon()]);
    const racing = store.findById('Session', id, now());
    // Let the read's SELECT reach PGlite first, so that it returns the row the destroy then deletes.
    await new Promise((resolve) => setImmediate(resolve));
    await store.destroy('Session', id);
    await racing;
    await expect(store.findById('Session', id, now())).resolves.toBeUndefined();
  });
});
