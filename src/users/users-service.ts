import type { PasswordHasher } from '../credentials/password-hasher.js';
import { checkPassword, type PasswordProblem } from '../credentials/password-policy.js';
import type { OidcStore } from '../db/oidc-store.js';
import type { Tx } from '../db/outbox-repository.js';
import { DuplicateUserError, type User, type UsersRepository } from '../db/users-repository.js';
import type { Outbox } from '../services/outbox.js';

export interface Registration {
  readonly email: string;
  readonly password: string;
  readonly username?: string | undefined;
  readonly name?: string | undefined;
  readonly emailVerified?: boolean;
  /** Signed up on the hosted pages; such accounts are deleted if never verified. */
  readonly selfRegistered?: boolean;
  readonly roles?: readonly string[];
}

export type RegistrationResult =
  | { readonly ok: true; readonly user: User }
  | { readonly ok: false; readonly reason: 'password'; readonly problem: PasswordProblem }
  | { readonly ok: false; readonly reason: 'taken'; readonly field: 'email' | 'username' };

export type PasswordCheck = { readonly ok: true; readonly user: User } | { readonly ok: false; readonly userId: string | undefined };

/** Account rules shared by the hosted pages, the CLI and (later) the admin API. */
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly oidc: OidcStore,
    private readonly outbox: Outbox,
  ) {}

  /** Creates the account; `alongside` writes what must commit with it (the verification email). */
  async register(input: Registration, alongside?: (tx: Tx, user: User) => Promise<void>): Promise<RegistrationResult> {
    const problem = checkPassword(input.password, [input.email, input.username]);
    if (problem) return { ok: false, reason: 'password', problem };
    const passwordHash = await this.hasher.hash(input.password);
    try {
      const user = await this.outbox.transaction(async (tx) => {
        const created = await this.users.create({ ...input, passwordHash }, tx);
        if (alongside) await alongside(tx, created);
        return created;
      });
      return { ok: true, user };
    } catch (error) {
      if (error instanceof DuplicateUserError) return { ok: false, reason: 'taken', field: error.field };
      throw error;
    }
  }

  /**
   * Checks a password sign-in. An unknown login still costs one argon2 verification, so the timing
   * does not tell whether the account exists. A failure carries the account id when there is one,
   * for the audit log only: callers must show every failure the same way.
   */
  async authenticate(login: string, password: string): Promise<PasswordCheck> {
    const user = await this.users.findByLogin(login);
    const ok = await this.hasher.verify(user?.passwordHash, password);
    if (!user || !ok || user.status !== 'active') return { ok: false, userId: user?.id };
    if (user.passwordHash && this.hasher.needsRehash(user.passwordHash)) {
      await this.users.setPasswordHash(user.id, await this.hasher.hash(password));
    }
    return { ok: true, user };
  }

  /** Disabling or deleting ends every session, grant and token the user holds. */
  async setStatus(id: string, status: 'active' | 'disabled' | 'deleted'): Promise<User | null> {
    const user = await this.users.setStatus(id, status);
    if (user && status !== 'active') await this.oidc.destroyByAccountId(id);
    return user;
  }

  list(page: { take: number; skip: number }): Promise<User[]> {
    return this.users.list(page);
  }

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  findByLogin(login: string): Promise<User | null> {
    return this.users.findByLogin(login);
  }
}
