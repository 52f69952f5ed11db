import { PasswordHasher } from '../../src/credentials/password-hasher.js';
import { checkPassword, commonPasswords } from '../../src/credentials/password-policy.js';

describe('password hashing', () => {
  test('argon2id with the configured parameters; verification is exact', async () => {
    const hasher = new PasswordHasher({ memoryCost: 19456, timeCost: 2, parallelism: 1, maxConcurrency: 2 });
    const hash = await hasher.hash('Correct Horse');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(hasher.verify(hash, 'Correct Horse')).resolves.toBe(true);
    await expect(hasher.verify(hash, 'correct horse')).resolves.toBe(false);
    await expect(hasher.verify(hash, 'Correct Horse ')).resolves.toBe(false);
    await expect(hasher.verify(undefined, 'anything')).resolves.toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
    expect(hasher.needsRehash(await new PasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1, maxConcurrency: 1 }).hash('x'))).toBe(true);
    expect(hasher.needsRehash('not a hash')).toBe(true);
  });

  // Made by the `argon2` package AuthFlow used before: accounts created then must still sign in.
  const earlierLibrary = {
    current: '$argon2id$v=19$m=19456,p=1,t=2$0SkveBU786JZw+5bZ6uenA$8SmcyzKJCSKbtyXAqJyHQlilQ3K9Lo9gny1xrYd3AOk',
    weaker: '$argon2id$v=19$m=8192,p=1,t=1$mjiFG8L/3eOWVkp8SCUy9g$tvgDr8mHRXVL14oLAGm776HcKhKEvsq+qJ66r1CLMhY',
  };

  test('hashes stored by the earlier argon2 library verify, and only the weaker one asks for a re-hash', async () => {
    const hasher = new PasswordHasher({ memoryCost: 19456, timeCost: 2, parallelism: 1, maxConcurrency: 2 });
    await expect(hasher.verify(earlierLibrary.current, 'Correct Horse')).resolves.toBe(true);
    await expect(hasher.verify(earlierLibrary.current, 'Correct Horse!')).resolves.toBe(false);
    await expect(hasher.verify(earlierLibrary.weaker, 'Correct Horse')).resolves.toBe(true);
    expect(hasher.needsRehash(earlierLibrary.current)).toBe(false);
    expect(hasher.needsRehash(earlierLibrary.weaker)).toBe(true);
  });

  test('a flood beyond the waiting room is refused with 503 instead of queueing without limit', async () => {
    const hasher = new PasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1, maxConcurrency: 1, maxWaiting: 2 });
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => hasher.hash(`password ${i}`)));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(refused).toHaveLength(5);
    expect(refused[0]?.status === 'rejected' && refused[0].reason).toMatchObject({ status: 503, code: 'temporarily_unavailable' });
    await expect(hasher.hash('later')).resolves.toMatch(/^\$argon2id/);
  });
});

describe('password policy', () => {
  test('ships at least 10,000 common passwords', () => {
    expect(commonPasswords().size).toBeGreaterThanOrEqual(10_000);
  });

  test.each([
    ['1234567', 'too_short'],
    ['password1', 'common'],
    ['violet harbour lamp', undefined],
    ['Qwertyuiop', 'common'],
    ['x'.repeat(257), 'too_long'],
    ['a'.repeat(64), undefined],
    ['ünïcødé🙂🙂', undefined],
  ])('%s → %s', (password, problem) => {
    expect(checkPassword(password)).toBe(problem);
  });

  test('a password equal to the email or username is refused', () => {
    expect(checkPassword('ada@example.test', ['ada@example.test'])).toBe('same_as_identity');
    expect(checkPassword('AdaLovelace', ['ada@example.test', 'adalovelace'])).toBe('same_as_identity');
  });
});
