import type { EmailTokenRecord } from '../db/email-tokens-repository.js';
import { userWrites } from '../db/users-repository.js';
import type { Outbox } from '../services/outbox.js';
import { commitEmailChange } from './commit-email-change.js';
import type { OneTimeTokens } from './one-time-tokens.js';

export type LinkResult =
  | { readonly ok: true; readonly purpose: 'verify_email' | 'change_email'; readonly userId: string; readonly email: string }
  | { readonly ok: false; readonly reason: 'invalid' | 'taken' };

/** A person opened an emailed link and pressed confirm: verifies the address, or moves the account to it. */
export class EmailLinks {
  constructor(
    private readonly deps: { readonly tokens: OneTimeTokens; readonly outbox: Outbox; readonly issuer: string },
  ) {}

  /** What the link is for, without using it: confirmation pages GET this, then POST. */
  async peek(link: string): Promise<EmailTokenRecord | undefined> {
    const token = await this.deps.tokens.peek(link);
    return token && token.purpose !== 'reset_password' ? token : undefined;
  }

  async confirm(link: string, when: Date = new Date()): Promise<LinkResult> {
    if (!(await this.peek(link))) return { ok: false, reason: 'invalid' };
    return this.deps.outbox.transaction(async (tx): Promise<LinkResult> => {
      const spent = await this.deps.tokens.spendLink(tx, link);
      if (!spent || spent.purpose === 'reset_password') return { ok: false, reason: 'invalid' };
      if (spent.purpose === 'verify_email') {
        const done = await userWrites.markVerified(tx, spent.userId, spent.email);
        return done ? { ok: true, purpose: 'verify_email', userId: spent.userId, email: spent.email } : { ok: false, reason: 'invalid' };
      }
      if (!(await commitEmailChange(tx, this.deps, spent, when))) return { ok: false, reason: 'taken' };
      return { ok: true, purpose: 'change_email', userId: spent.userId, email: spent.email };
    });
  }
}
