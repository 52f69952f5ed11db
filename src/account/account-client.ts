import { OwnClient } from '../http/own-client.js';
import { ClientsFileError, type RegisteredClients } from '../oidc/clients-file.js';

export const ACCOUNT_CLIENT_ID = 'authflow-account';

/**
 * The registration plus the built-in client behind /account. The account pages sign in through
 * AuthFlow like any app (as Keycloak's account console does), so they share the apps' SSO session
 * and every sign-in rule (MFA, verification, lockout) without a second login path. First party:
 * no consent screen for looking at one's own account.
 */
export function withAccountClient(registered: RegisteredClients, issuer: string): RegisteredClients {
  if (registered.clients.some((c) => c.client_id === ACCOUNT_CLIENT_ID)) {
    throw new ClientsFileError(`client "${ACCOUNT_CLIENT_ID}": this client_id is reserved for the account pages`);
  }
  return {
    ...registered,
    clients: [
      ...registered.clients,
      {
        client_id: ACCOUNT_CLIENT_ID,
        client_name: 'Your account',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [`${issuer}/account/callback`],
        post_logout_redirect_uris: [`${issuer}/`],
        scope: 'openid profile email',
      },
    ],
    firstParty: new Set([...registered.firstParty, ACCOUNT_CLIENT_ID]),
  };
}

/** The account pages' side of the protocol: signs in at /account/callback, lands on / after logout. */
export const accountClient = (issuer: string) => new OwnClient(issuer, ACCOUNT_CLIENT_ID, { callback: '/account/callback', afterLogout: '/' });
