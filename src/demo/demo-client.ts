import * as client from 'openid-client';

export const DEMO_CLIENT_ID = 'demo';

/**
 * The demo relying party talks to AuthFlow the way any app would: discovery over HTTP, then the
 * standard endpoints, through openid-client. Discovery is retried on the next use if it failed.
 */
export class DemoClient {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(private readonly issuer: string) {}

  get redirectUri(): string {
    return `${this.issuer}/demo/callback`;
  }

  get postLogoutRedirectUri(): string {
    return `${this.issuer}/demo`;
  }

  config(): Promise<client.Configuration> {
    this.configuration ??= client
      .discovery(new URL(this.issuer), DEMO_CLIENT_ID, undefined, client.None(), {
        ...(this.issuer.startsWith('http://') ? { execute: [client.allowInsecureRequests] } : {}),
      })
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw error;
      });
    return this.configuration;
  }
}
