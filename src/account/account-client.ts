import * as client from 'openid-client';
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

/** The account pages' side of the protocol: discovery once (retried after a failure), then openid-client. */
export class AccountClient {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(private readonly issuer: string) {}

  get redirectUri(): string {
    return `${this.issuer}/account/callback`;
  }

  get postLogoutRedirectUri(): string {
    return `${this.issuer}/`;
  }

  config(): Promise<client.Configuration> {
    this.configuration ??= client
      .discovery(new URL(this.issuer), ACCOUNT_CLIENT_ID, undefined, client.None(), {
        ...(this.issuer.startsWith('http://') ? { execute: [client.allowInsecureRequests] } : {}),
      })
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw error;
      });
    return this.configuration;
  }
}
