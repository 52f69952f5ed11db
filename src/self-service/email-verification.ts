import type { EmailTokensRepository } from '../db/email-tokens-repository.js';
import type { Tx } from '../db/outbox-repository.js';
import { userWrites } from '../db/users-repository.js';
import type { Outbox } from '../services/outbox.js';
import type { WindowLimiter } from '../services/rate-limit.js';
import { mailAddressProof } from './address-proof.js';
import type { OneTimeTokens } from './one-time-tokens.js';

export const RESEND_COOLDOWN_MS = 60_000;
const RESENDS_PER_HOUR = 5;

export interface Addressee {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
}

export type ResendResult = 'sent' | 'cooldown' | 'limited';
export type ConfirmResult = { readonly ok: true; readonly userId: string } | { readonly ok: false; readonly reason: 'wrong' | 'expired' | 'exhausted' | 'none' };

/** Proves control of an address: a link (24 h) and a code (10 min) in one email, either one enough. */
export class EmailVerification {
  constructor(
    private readonly deps: {
      readonly tokens: OneTimeTokens;
      readonly repository: EmailTokensRepository;
      readonly outbox: Outbox;
      readonly issuer: string;
      /** Per client address: how often anyone may ask for a new email. */
      readonly perIp: WindowLimiter;
    },
  ) {}

  /** Sends the verification email as part of the caller's transaction (registration). */
  async send(tx: Tx, user: Addressee): Promise<void> {
    await mailAddressProof(tx, this.deps, { userId: user.id, name: user.name, email: user.email, purpose: 'verify_email' });
  }

  /** A new link and code, within the cooldown and the per-account and per-address limits. */
  async resend(user: Addressee, ip: string): Promise<ResendResult> {
    const latest = await this.deps.repository.latest(user.id, 'verify_email');
    if (latest && Date.now() - latest.createdAt.getTime() < RESEND_COOLDOWN_MS) return 'cooldown';
    if ((await this.deps.repository.countRecent(user.id, 'verify_email', 3600_000)) >= RESENDS_PER_HOUR) return 'limited';
    if (!this.deps.perIp.take(`verify:${ip}`)) return 'limited';
    await this.deps.outbox.transaction((tx) => this.send(tx, user));
    return 'sent';
  }

  async confirmCode(userId: string, code: string): Promise<ConfirmResult> {
    const check = await this.deps.tokens.checkCode(userId, 'verify_email', code);
    if (!check.ok) return check;
    return this.deps.outbox.transaction(async (tx): Promise<ConfirmResult> => {
      const spent = await this.deps.tokens.spendCode(tx, check.token.id);
      if (!spent || !(await userWrites.markVerified(tx, userId, spent.email))) return { ok: false, reason: 'none' };
      return { ok: true, userId };
    });
  }
}
