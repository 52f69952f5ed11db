import type { PasswordHasher } from '../credentials/password-hasher.js';
import { checkPassword, type PasswordProblem } from '../credentials/password-policy.js';
import type { OidcStore } from '../db/oidc-store.js';
import { userWrites, type User } from '../db/users-repository.js';
import type { Outbox } from '../services/outbox.js';

export interface PasswordChangeInput {
  readonly user: User;
  /** The provider session the change is made from; it stays signed in. */
  readonly sessionUid: string;
  readonly password: string;
  readonly signOutOthers: boolean;
}

export type PasswordChangeResult = { readonly ok: true; readonly signedOut: number } | { readonly ok: false; readonly problem: PasswordProblem };

/** A signed-in user sets a new password (the current one was checked by the caller). */
export class PasswordChange {
  constructor(
    private readonly deps: {
      readonly hasher: PasswordHasher;
      readonly oidc: OidcStore;
      readonly outbox: Outbox;
      readonly issuer: string;
    },
  ) {}

  async change(input: PasswordChangeInput, when: Date = new Date()): Promise<PasswordChangeResult> {
    const { user } = input;
    const problem = checkPassword(input.password, [user.email, user.username ?? undefined]);
    if (problem) return { ok: false, problem };
    const hash = await this.deps.hasher.hash(input.password);
    await this.deps.outbox.transaction(async (tx) => {
      await userWrites.setPasswordHash(tx, user.id, hash);
      await this.deps.outbox.mail(tx, {
        template: 'password-changed',
        to: user.email,
        data: { name: user.name ?? '', when: when.toUTCString(), resetLink: `${this.deps.issuer}/forgot-password` },
      });
    });
    // Whoever else knew the old password loses every session and token, except the session in use.
    const signedOut = input.signOutOthers ? await this.deps.oidc.destroyByAccountIdExceptSession(user.id, input.sessionUid) : 0;
    return { ok: true, signedOut };
  }
}
