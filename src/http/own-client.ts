import * as client from 'openid-client';

/**
 * A relying party that AuthFlow serves itself (the demo app, the account pages): it talks to the
 * issuer over HTTP like any app would, through openid-client. Discovery happens once, and again on
 * the next use if it failed.
 */
export class OwnClient {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(
    private readonly issuer: string,
    readonly clientId: string,
    private readonly paths: { readonly callback: string; readonly afterLogout: string },
  ) {}

  get redirectUri(): string {
    return `${this.issuer}${this.paths.callback}`;
  }

  get postLogoutRedirectUri(): string {
    return `${this.issuer}${this.paths.afterLogout}`;
  }

  config(): Promise<client.Configuration> {
    this.configuration ??= client
      .discovery(new URL(this.issuer), this.clientId, undefined, client.None(), {
        ...(this.issuer.startsWith('http://') ? { execute: [client.allowInsecureRequests] } : {}),
      })
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw error;
      });
    return this.configuration;
  }
}
