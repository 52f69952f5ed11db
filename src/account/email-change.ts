import type { EmailTokensRepository } from '../db/email-tokens-repository.js';
import type { User, UsersRepository } from '../db/users-repository.js';
import { commitEmailChange } from '../self-service/commit-email-change.js';
import { mailAddressProof } from '../self-service/address-proof.js';
import type { OneTimeTokens } from '../self-service/one-time-tokens.js';
import type { Outbox } from '../services/outbox.js';

const REQUESTS_PER_HOUR = 5;

export type ChangeRequestResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'taken' | 'same' | 'limited' };
export type ChangeCodeResult =
  | { readonly ok: true; readonly email: string }
  | { readonly ok: false; readonly reason: 'wrong' | 'expired' | 'exhausted' | 'none' | 'taken' };

/**
 * A signed-in user moves the account to a new address. Nothing changes until the new address is
 * proven, by the emailed code here or by the link (which /verify-email completes).
 */
export class EmailChange {
  constructor(
    private readonly deps: {
      readonly tokens: OneTimeTokens;
      readonly repository: EmailTokensRepository;
      readonly users: UsersRepository;
      readonly outbox: Outbox;
      readonly issuer: string;
    },
  ) {}

  /** Sends a link and a code to the new address (the current password was checked by the caller). */
  async request(user: User, email: string): Promise<ChangeRequestResult> {
    const holder = await this.deps.users.findByLogin(email);
    if (holder?.id === user.id) return { ok: false, reason: 'same' };
    // Says no more than registration does about the address being in use.
    if (holder) return { ok: false, reason: 'taken' };
    if ((await this.deps.repository.countRecent(user.id, 'change_email', 3600_000)) >= REQUESTS_PER_HOUR) return { ok: false, reason: 'limited' };
    await this.deps.outbox.transaction((tx) => mailAddressProof(tx, this.deps, { userId: user.id, name: user.name, email, purpose: 'change_email' }));
    return { ok: true };
  }

  /** The address a change is waiting for, if any. */
  async pending(userId: string): Promise<string | undefined> {
    return (await this.deps.repository.latest(userId, 'change_email'))?.email;
  }

  async confirmCode(userId: string, code: string, when: Date = new Date()): Promise<ChangeCodeResult> {
    const check = await this.deps.tokens.checkCode(userId, 'change_email', code);
    if (!check.ok) return check;
    return this.deps.outbox.transaction(async (tx): Promise<ChangeCodeResult> => {
      const spent = await this.deps.tokens.spendCode(tx, check.token.id);
      if (!spent) return { ok: false, reason: 'none' };
      if (!(await commitEmailChange(tx, this.deps, spent, when))) return { ok: false, reason: 'taken' };
      return { ok: true, email: spent.email };
    });
  }
}
