import type { PasswordHasher } from '../credentials/password-hasher.js';
import type { User } from '../db/users-repository.js';
import { WindowLimiter } from '../services/rate-limit.js';

export type Reauthentication = 'ok' | 'wrong' | 'limited';

/**
 * Asks for the current password before a credential or address changes (ASVS), so a session left
 * open on a shared computer is not enough. Attempts are capped per account, so an open session
 * cannot be used to guess the password; the cap only blocks these forms, never sign-in.
 */
export class CurrentPassword {
  private readonly attempts: WindowLimiter;

  constructor(
    private readonly hasher: PasswordHasher,
    limit = { attempts: 10, windowMs: 15 * 60_000 },
  ) {
    this.attempts = new WindowLimiter(limit.attempts, limit.windowMs);
  }

  async check(user: User, password: string): Promise<Reauthentication> {
    if (!this.attempts.take(`reauth:${user.id}`)) return 'limited';
    return (await this.hasher.verify(user.passwordHash, password)) ? 'ok' : 'wrong';
  }
}
