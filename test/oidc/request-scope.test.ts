import { RequestScope } from '../../src/oidc/request-scope.js';

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('RequestScope: a provider request\'s deferred writes', () => {
  test('writes of one artifact run in the order they were made; writes of others do not wait', async () => {
    const scope = new RequestScope('token');
    const done: string[] = [];
    scope.write('Session', 's1', async () => { await later(40, 0); done.push('s1 first'); });
    scope.write('Session', 's1', async () => { done.push('s1 second'); });
    scope.write('AccessToken', 'a1', async () => { done.push('a1'); });
    await scope.settle();
    expect(done).toEqual(['a1', 's1 first', 's1 second']);
  });

  test('settle waits for every write, also those started while it waited, and reports the first failure', async () => {
    const scope = new RequestScope('token');
    let finished = 0;
    scope.write('RefreshToken', 'r1', async () => { await later(20, 0); finished++; });
    scope.write('AccessToken', 'a1', async () => { throw new Error('insert failed'); });
    scope.write('RefreshToken', 'r2', async () => {
      await later(10, 0);
      finished++;
      scope.write('Grant', 'g1', async () => { await later(20, 0); finished++; });
    });
    await expect(scope.settle()).rejects.toThrow('insert failed');
    expect(finished).toBe(3);
    // A read that saw the failure does not absorb it: the settle before the answer sees it too.
    await expect(scope.settle()).rejects.toThrow('insert failed');
  });

  test('two callers waiting at once both wait for every write', async () => {
    const scope = new RequestScope('token');
    let committed = false;
    scope.write('RefreshToken', 'r1', async () => {
      await later(30, 0);
      committed = true;
    });
    const seen = await Promise.all([scope.writesVisible().then(() => committed), scope.settle().then(() => committed)]);
    expect(seen).toEqual([true, true]);
  });

  test('a write makes what was read ahead for that artifact unknown again; forget drops everything', () => {
    const scope = new RequestScope('token');
    const row = { payload: { jti: 'x' }, consumedAt: null };
    scope.remember({ token: row, session: { uid: 'u1', artifact: row }, grant: { id: 'g1', artifact: null }, account: { id: 'acc', user: null } });
    expect(scope.session('u1')).toBe(row);
    expect(scope.artifact('Grant', 'g1')).toBeNull();
    expect(scope.account('acc')).toBeNull();
    expect(scope.artifact('Grant', 'g2')).toBeUndefined();
    scope.write('Grant', 'g1', async () => undefined);
    expect(scope.artifact('Grant', 'g1')).toBeUndefined();
    scope.write('Session', 'session-id', async () => undefined);
    expect(scope.session('u1')).toBeUndefined();
    scope.forget();
    expect(scope.account('acc')).toBeUndefined();
  });

  test('only token redemption and userinfo read a token with its context', () => {
    expect(new RequestScope('token').readsTokenContext).toBe(true);
    expect(new RequestScope('userinfo').readsTokenContext).toBe(true);
    expect(new RequestScope('introspection').readsTokenContext).toBe(false);
    expect(new RequestScope(undefined).readsTokenContext).toBe(false);
  });
});
