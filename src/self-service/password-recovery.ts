import { z } from 'zod';
import type { PasswordHasher } from '../credentials/password-hasher.js';
import { checkPassword, type PasswordProblem } from '../credentials/password-policy.js';
import type { EmailTokensRepository } from '../db/email-tokens-repository.js';
import type { OidcStore } from '../db/oidc-store.js';
import { userWrites, type UsersRepository } from '../db/users-repository.js';
import type { Outbox } from '../services/outbox.js';
import type { OneTimeTokens } from './one-time-tokens.js';

const LINK_TTL_MS = 30 * 60_000;
const REQUESTS_PER_HOUR = 5;
export const RESET_REQUEST_JOB = 'password-reset-request';
const resetRequestSchema = z.object({ email: z.email().max(320) });

export type ResetResult =
  | { readonly ok: true; readonly userId: string }
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'password'; readonly problem: PasswordProblem };

/**
 * "Forgot password". The request only writes a job, whatever the address: the page answers the
 * same, equally fast, for accounts that exist and those that do not. The job looks the account up
 * and mails a link; the reset revokes every session and refresh token of the account.
 */
export class PasswordRecovery {
  constructor(
    private readonly deps: {
      readonly tokens: OneTimeTokens;
      readonly repository: EmailTokensRepository;
      readonly users: UsersRepository;
      readonly hasher: PasswordHasher;
      readonly oidc: OidcStore;
      readonly outbox: Outbox;
      readonly issuer: string;
    },
  ) {}

  async request(email: string): Promise<void> {
    await this.deps.outbox.transaction((tx) => this.deps.outbox.add(tx, RESET_REQUEST_JOB, { email }));
  }

  /** The job behind `request`. Disabled accounts get nothing; a locked-out one does (that is how it gets back in). */
  async handleRequest(payload: unknown): Promise<{ email: string }> {
    const { email } = resetRequestSchema.parse(payload);
    const user = await this.deps.users.findByLogin(email);
    if (!user || user.status !== 'active' || user.emailLower !== email.trim().toLowerCase()) return { email };
    if ((await this.deps.repository.countRecent(user.id, 'reset_password', 3600_000)) >= REQUESTS_PER_HOUR) return { email };
    await this.deps.outbox.transaction(async (tx) => {
      const issued = await this.deps.tokens.issue(tx, { userId: user.id, purpose: 'reset_password', email: user.email, linkTtlMs: LINK_TTL_MS });
      await this.deps.outbox.mail(tx, {
        template: 'reset-password',
        to: user.email,
        data: { name: user.name ?? '', link: `${this.deps.issuer}/reset-password?token=${issued.link}`, minutes: String(LINK_TTL_MS / 60_000) },
      });
    });
    return { email };
  }

  async isValid(link: string): Promise<boolean> {
    const token = await this.deps.tokens.peek(link);
    return token?.purpose === 'reset_password';
  }

  async reset(link: string, password: string, when: Date = new Date()): Promise<ResetResult> {
    const token = await this.deps.tokens.peek(link);
    if (token?.purpose !== 'reset_password') return { ok: false, reason: 'invalid' };
    const user = await this.deps.users.findById(token.userId);
    // A link sent to an address the account no longer uses is void.
    if (!user || user.status !== 'active' || user.email !== token.email) return { ok: false, reason: 'invalid' };
    const problem = checkPassword(password, [user.email, user.username ?? undefined]);
    if (problem) return { ok: false, reason: 'password', problem };
    const hash = await this.deps.hasher.hash(password);
    const done = await this.deps.outbox.transaction(async (tx) => {
      const spent = await this.deps.tokens.spendLink(tx, link);
      if (spent?.purpose !== 'reset_password') return false;
      await userWrites.setPasswordHash(tx, user.id, hash);
      // The link reached the inbox and came back: that proves the address as well as a verification would.
      await userWrites.markVerified(tx, user.id, user.email);
      await this.deps.outbox.mail(tx, {
        template: 'password-changed',
        to: user.email,
        data: { name: user.name ?? '', when: when.toUTCString(), resetLink: `${this.deps.issuer}/forgot-password` },
      });
      return true;
    });
    if (!done) return { ok: false, reason: 'invalid' };
    // Whoever knew the old password is signed out everywhere, refresh tokens included.
    await this.deps.oidc.destroyByAccountId(user.id);
    return { ok: true, userId: user.id };
  }
}
