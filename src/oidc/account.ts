import type { Account, AccountClaims, FindAccount } from 'oidc-provider';
import type { User, UsersRepository } from '../db/users-repository.js';
import { existingScope } from './request-scope.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Claims AuthFlow releases, grouped by the scope that releases them. */
export const CLAIMS_BY_SCOPE = {
  openid: ['sub'],
  profile: ['name', 'preferred_username', 'picture', 'updated_at'],
  email: ['email', 'email_verified'],
  roles: ['roles'],
} as const;

export function claimsFor(user: User): AccountClaims {
  return {
    sub: user.id,
    ...(user.name ? { name: user.name } : {}),
    ...(user.username ? { preferred_username: user.username } : {}),
    ...(user.picture ? { picture: user.picture } : {}),
    updated_at: Math.floor(user.updatedAt.getTime() / 1000),
    email: user.email,
    email_verified: user.emailVerified,
    roles: [...user.roles],
  };
}

/**
 * The provider asks for the account behind every token use (userinfo, refresh). A user who is
 * disabled or deleted is "not found", so their tokens stop working at once.
 */
export function createFindAccount(users: UsersRepository): FindAccount {
  return async (ctx, sub): Promise<Account | undefined> => {
    if (!UUID.test(sub)) return undefined;
    // Read with the token being redeemed, in the same statement (see RequestScope).
    const known = existingScope(ctx)?.account(sub);
    const user = known === undefined ? await users.findById(sub) : known;
    if (!user || user.status !== 'active') return undefined;
    return { accountId: user.id, claims: () => claimsFor(user) };
  };
}
