import argon2 from 'argon2';
import { PasswordHasher } from '../../src/credentials/password-hasher.js';
import { checkPassword, commonPasswords } from '../../src/credentials/password-policy.js';

describe('password hashing', () => {
  test('argon2id with the configured parameters; verification is exact', async () => {
    const hasher = new PasswordHasher({ memoryCost: 19456, timeCost: 2, parallelism: 1, maxConcurrency: 2 });
    const hash = await hasher.hash('Correct Horse');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    await expect(hasher.verify(hash, 'Correct Horse')).resolves.toBe(true);
    await expect(hasher.verify(hash, 'correct horse')).resolves.toBe(false);
    await expect(hasher.verify(hash, 'Correct Horse ')).resolves.toBe(false);
    await expect(hasher.verify(undefined, 'anything')).resolves.toBe(false);
    expect(hasher.needsRehash(await argon2.hash('x', { type: argon2.argon2id, memoryCost: 8192, timeCost: 1 }))).toBe(true);
    expect(hasher.needsRehash(hash)).toBe(false);
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
