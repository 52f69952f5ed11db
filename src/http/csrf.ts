import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Anti-CSRF tokens bound to one flow (an interaction uid, an account session): an HMAC under the
 * cookie keys, so nothing is stored and a token from one flow is worthless in another.
 */
export class Csrf {
  constructor(private readonly keys: readonly string[]) {
    if (keys.length === 0) throw new Error('Csrf needs at least one key');
  }

  private sign(key: string, binding: string): string {
    return createHmac('sha256', key).update(`csrf\0${binding}`).digest('base64url');
  }

  token(binding: string): string {
    return this.sign(this.keys[0] as string, binding);
  }

  /** Accepts tokens made with any current key, so rotating COOKIE_KEYS does not break open forms. */
  verify(binding: string, token: unknown): boolean {
    if (typeof token !== 'string' || token.length === 0 || token.length > 128) return false;
    const given = Buffer.from(token);
    return this.keys.some((key) => {
      const expected = Buffer.from(this.sign(key, binding));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
  }
}
