import { createHash, createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { EmailTokenPurpose, EmailTokenRecord, EmailTokensRepository } from '../db/email-tokens-repository.js';
import type { Tx } from '../db/outbox-repository.js';

export const CODE_ATTEMPTS = 5;

export interface IssuedToken {
  /** Goes into the link; 256 bits, so a plain SHA-256 is enough to store it. */
  readonly link: string;
  /** Six digits for typing; stored as an HMAC under a server key, since a bare hash of 10^6 values is no secret. */
  readonly code: string | undefined;
}

export type CodeCheck =
  | { readonly ok: true; readonly token: EmailTokenRecord }
  | { readonly ok: false; readonly reason: 'wrong' | 'expired' | 'exhausted' | 'none' };

export const hashLink = (link: string) => createHash('sha256').update(link).digest('base64url');

/** Issues, checks and spends the one-time secrets sent by email. */
export class OneTimeTokens {
  /** Derived from COOKIE_KEYS, never the cookie keys themselves; the first hashes, all check (rotation). */
  private readonly codeKeys: readonly Buffer[];

  constructor(
    private readonly repository: EmailTokensRepository,
    cookieKeys: readonly string[],
  ) {
    if (cookieKeys.length === 0) throw new Error('OneTimeTokens needs at least one key');
    this.codeKeys = cookieKeys.map((key) => createHmac('sha256', key).update('authflow email-code key v1').digest());
  }

  private hashCode(tokenId: string, code: string, key: Buffer = this.codeKeys[0] as Buffer): string {
    return createHmac('sha256', key).update(`email-code\0${tokenId}\0${code}`).digest('base64url');
  }

  async issue(tx: Tx, input: { userId: string; purpose: EmailTokenPurpose; email: string; linkTtlMs: number; codeTtlMs?: number }): Promise<IssuedToken> {
    const link = randomBytes(32).toString('base64url');
    const code = input.codeTtlMs ? String(randomInt(0, 1_000_000)).padStart(6, '0') : undefined;
    const id = randomUUID();
    const now = Date.now();
    await this.repository.create(tx, {
      id,
      userId: input.userId,
      purpose: input.purpose,
      email: input.email,
      linkHash: hashLink(link),
      codeHash: code ? this.hashCode(id, code) : null,
      linkExpiresAt: new Date(now + input.linkTtlMs),
      codeExpiresAt: input.codeTtlMs ? new Date(now + input.codeTtlMs) : null,
    });
    return { link, code };
  }

  /** The token behind a link if it can still be used; nothing is spent. */
  peek(link: string): Promise<EmailTokenRecord | undefined> {
    return link.length > 100 ? Promise.resolve(undefined) : this.repository.findByLink(hashLink(link));
  }

  spendLink(tx: Tx, link: string): Promise<EmailTokenRecord | undefined> {
    return this.repository.consumeLink(tx, hashLink(link));
  }

  /**
   * Checks a typed code against the newest token. Wrong codes are counted atomically, so parallel
   * guesses cannot exceed the cap; after it, only a new code helps.
   */
  async checkCode(userId: string, purpose: EmailTokenPurpose, code: string): Promise<CodeCheck & { tokenId?: string }> {
    const token = await this.repository.latest(userId, purpose);
    if (!token?.codeHash || !token.codeExpiresAt) return { ok: false, reason: 'none' };
    if (token.attempts >= CODE_ATTEMPTS) return { ok: false, reason: 'exhausted' };
    if (token.codeExpiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
    const expected = Buffer.from(token.codeHash);
    const matches = this.codeKeys.some((key) => {
      const given = Buffer.from(this.hashCode(token.id, code, key));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
    if (!matches) {
      const counted = await this.repository.countWrongCode(token.id, CODE_ATTEMPTS);
      return { ok: false, reason: counted ? 'wrong' : 'exhausted' };
    }
    return { ok: true, token };
  }

  /** Spends a token whose code matched; undefined if another request spent it first. */
  spendCode(tx: Tx, tokenId: string): Promise<EmailTokenRecord | undefined> {
    return this.repository.consumeById(tx, tokenId, CODE_ATTEMPTS);
  }
}
