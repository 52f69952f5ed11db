import { authorizationCodeFlow, CookieJar, SPA_CLIENT } from './http-flows.js';
import type { LoadSpec } from './load.js';

/**
 * Refresh tokens rotate on every use, so each request of the refresh scenario needs a token never
 * used before. They are pre-issued through real authorization-code flows: a worker signs in (a
 * real password check on AuthFlow) and then, as a returning user with a live session, repeats
 * /auth → code → /token, one new refresh token per round. Every `perSession` tokens it signs in
 * afresh, so grants stay the size a real user's would be (the bare provider's memory adapter
 * walks all of a grant's tokens on every write; AuthFlow's storage does not care).
 */
export async function mintRefreshTokens(
  issuer: string,
  accounts: readonly { login: string; password: string }[],
  options: { seconds: number; max: number; workers: number; perSession: number },
): Promise<string[]> {
  const tokens: string[] = [];
  const deadline = Date.now() + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.workers }, async (_, worker) => {
      for (let round = 0; Date.now() < deadline && tokens.length < options.max; round += 1) {
        const account = accounts[(worker + round) % accounts.length];
        if (!account) throw new Error('no accounts to sign in with');
        const jar = new CookieJar();
        for (let i = 0; i < options.perSession && Date.now() < deadline && tokens.length < options.max; i += 1) {
          const { refresh_token } = await authorizationCodeFlow(issuer, jar, account);
          if (!refresh_token) throw new Error('the code exchange returned no refresh token');
          tokens.push(refresh_token);
        }
      }
    }),
  );
  return tokens;
}

/** Hands out each token exactly once; when none is left the request is sent with a dud (an error). */
export class TokenPool {
  private index = 0;
  constructor(private readonly tokens: readonly string[]) {}

  get remaining(): number {
    return this.tokens.length - this.index;
  }

  spec(): LoadSpec {
    return {
      name: 'refresh',
      method: 'POST',
      path: '/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      setupRequest: (request) => {
        const token = this.tokens[this.index++] ?? 'pool-exhausted';
        request.body = `grant_type=refresh_token&client_id=${SPA_CLIENT}&refresh_token=${encodeURIComponent(token)}`;
        return request;
      },
    };
  }
}
