import type Provider from 'oidc-provider';

export interface TokenSession {
  readonly accountId: string;
  readonly clientId: string;
  /** The provider session (its `uid`) the token was issued in. */
  readonly sessionUid: string;
}

export type FindTokenSession = (accessToken: string) => Promise<TokenSession | undefined>;

/**
 * Which provider session an access token was issued in. The ID token's `sid` is no help here: it
 * is a per-client identifier, and only present for clients with back-channel logout. The access
 * token itself records the session's uid.
 */
export function tokenSessionFinder(provider: Provider): FindTokenSession {
  return async (accessToken) => {
    const token = await provider.AccessToken.find(accessToken);
    if (!token?.sessionUid || !token.clientId || token.isExpired) return undefined;
    return { accountId: token.accountId, clientId: token.clientId, sessionUid: token.sessionUid };
  };
}
