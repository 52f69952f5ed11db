import { createServer } from 'node:http';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import LRU from 'oidc-provider/lib/helpers/lru.js';
import { product } from './product.js';
import type { BenchTarget, ServerOptions } from './protocol.js';

/**
 * The yardstick: node-oidc-provider on its own, with its built-in in-memory adapter and its own
 * development login pages, but AuthFlow's clients, signing keys, TTLs and protocol features, so
 * the ratio measures what AuthFlow adds (Koa app, PostgreSQL storage, accounts, hosted pages).
 *
 * The built-in adapter keeps at most ~1000 artifacts (an LRU) and would evict the thousands of
 * refresh tokens the refresh scenario pre-issues; it gets the same adapter class over a larger LRU.
 */
export async function startBare(options: ServerOptions): Promise<BenchTarget> {
  const [{ loadConfig }, { CLAIMS_BY_SCOPE }, { resourceServerInfo }, { loadClientsFile, SUPPORTED_SCOPES }, { loadOrCreateSigningKeys }] = await Promise.all([
    product.config(), product.account(), product.configuration(), product.clientsFile(), product.keys(),
  ]);
  const issuer = `http://127.0.0.1:${options.port}`;
  // Only for the TTL defaults and secrets AuthFlow would use; nothing here opens a database.
  const config = loadConfig({ ISSUER: issuer, COOKIE_KEYS: options.cookieKey, AUTHFLOW_DATA_DIR: options.dataDir });
  const registered = loadClientsFile(options.clientsFile, issuer, config.secrets);
  const { keys } = await loadOrCreateSigningKeys(options.keysDir);
  const ttl = config.ttl;

  const store = new LRU({ maxSize: 1_000_000 });
  const configuration: Configuration = {
    adapter: (model: string) => new MemoryAdapter(model, store),
    clients: registered.clients,
    jwks: { keys: keys.map((k) => ({ ...k })) },
    claims: Object.fromEntries(Object.entries(CLAIMS_BY_SCOPE).map(([scope, claims]) => [scope, [...claims]])),
    scopes: [...SUPPORTED_SCOPES],
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientDefaults: { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'RS256' },
    enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256'], dPoPSigningAlgValues: ['ES256', 'EdDSA', 'RS256', 'PS256'] },
    cookies: { keys: [options.cookieKey] },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId || registered.introspectors.has(client.clientId) },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      dPoP: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: () => true,
        // The same answer AuthFlow gives, so both issue identical tokens.
        getResourceServerInfo: (_ctx, indicator) => resourceServerInfo(registered, indicator, ttl.accessToken),
      },
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ttl.accessToken,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ttl.accessToken,
      IdToken: ttl.idToken,
      AuthorizationCode: ttl.authorizationCode,
      // Same sliding-with-a-cap rule as AuthFlow's refreshTokenTtl.
      RefreshToken: (_ctx: KoaContextWithOIDC, token: { iiat?: number; iat?: number }) => {
        const now = Math.floor(Date.now() / 1000);
        const first = token.iiat ?? token.iat ?? now;
        return Math.max(1, Math.min(ttl.refreshTokenIdle, first + ttl.refreshTokenAbsolute - now));
      },
      // Same idle-with-an-absolute-cap rule as AuthFlow's sessionTtl.
      Session: (_ctx: KoaContextWithOIDC, session: { loginTs?: number }) => {
        const now = Math.floor(Date.now() / 1000);
        return Math.max(1, Math.min(ttl.session, (session.loginTs ?? now) + ttl.sessionAbsolute - now));
      },
      Interaction: ttl.interaction,
      Grant: ttl.refreshTokenAbsolute,
    },
  };
  const provider = new Provider(issuer, configuration);
  const server = createServer(provider.callback());
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });

  return {
    issuer,
    // devInteractions accepts any login: the account id is whatever is typed, no user store.
    createUsers: async (emails) => emails.length,
    cleanup: async () => 0,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
