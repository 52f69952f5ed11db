import type { Configuration, KoaContextWithOIDC, ResourceServer } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { Config } from '../config/index.js';
import { SUPPORTED_SCOPES, type RegisteredClients } from './clients-file.js';
import { CLAIMS_BY_SCOPE } from './account.js';
import type { SigningJwk } from './keys.js';
import type { ProviderPages } from './pages.js';
import { PROVIDER_ROUTES } from './routes.js';

export interface ConfigurationInputs {
  readonly config: Config;
  readonly registered: RegisteredClients;
  readonly keys: readonly SigningJwk[];
  readonly adapter: NonNullable<Configuration['adapter']>;
  readonly findAccount: NonNullable<Configuration['findAccount']>;
  readonly pages: ProviderPages;
}

/** Refresh tokens slide by the idle TTL but never outlive the absolute TTL of the first one issued. */
function refreshTokenTtl(config: Config) {
  return (_ctx: KoaContextWithOIDC, token: { iiat?: number; iat?: number }): number => {
    const now = Math.floor(Date.now() / 1000);
    const first = token.iiat ?? token.iat ?? now;
    const remaining = first + config.ttl.refreshTokenAbsolute - now;
    return Math.max(1, Math.min(config.ttl.refreshTokenIdle, remaining));
  };
}

/** What the provider needs to know about a registered API; an unknown indicator is invalid_target. */
export function resourceServerInfo(registered: RegisteredClients, indicator: string, defaultTtl: number): ResourceServer {
  const server = registered.resourceServers.get(indicator);
  if (!server) throw new errors.InvalidTarget();
  return {
    scope: server.scopes.join(' '),
    audience: server.indicator,
    accessTokenTTL: server.access_token_ttl ?? defaultTtl,
    accessTokenFormat: server.access_token_format,
    ...(server.access_token_format === 'jwt' ? { jwt: { sign: { alg: 'ES256' } } } : {}),
  };
}

/** A session slides by the idle TTL on use, but never outlives the absolute TTL from sign-in. */
function sessionTtl(config: Config) {
  return (_ctx: KoaContextWithOIDC, session: { loginTs?: number }): number => {
    const now = Math.floor(Date.now() / 1000);
    const remaining = (session.loginTs ?? now) + config.ttl.sessionAbsolute - now;
    return Math.max(1, Math.min(config.ttl.session, remaining));
  };
}

/**
 * First-party clients (marked in clients.json) skip the consent screen: the grant is created or
 * widened here with exactly what was requested. Everyone else gets the consent prompt.
 */
function loadExistingGrant(registered: RegisteredClients) {
  return async (ctx: KoaContextWithOIDC) => {
    const { client, session, provider } = ctx.oidc;
    if (!client || !session?.accountId) return undefined;
    const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
    const existing = grantId ? await provider.Grant.find(grantId) : undefined;
    if (!registered.firstParty.has(client.clientId)) return existing;
    const grant = existing ?? new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
    for (const [indicator, server] of Object.entries(ctx.oidc.resourceServers ?? {})) {
      grant.addResourceScope(indicator, [...ctx.oidc.requestParamScopes].filter((s) => server.scopes.has(s)).join(' '));
    }
    await grant.save();
    return grant;
  };
}

export function buildConfiguration(inputs: ConfigurationInputs): Configuration {
  const { config, registered, pages } = inputs;
  const secureNames = config.secureCookies;
  return {
    adapter: inputs.adapter,
    findAccount: inputs.findAccount,
    clients: registered.clients,
    jwks: { keys: inputs.keys.map((k) => ({ ...k })) },
    claims: Object.fromEntries(Object.entries(CLAIMS_BY_SCOPE).map(([scope, claims]) => [scope, [...claims]])),
    scopes: [...SUPPORTED_SCOPES],
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256', 'ES256'],
      userinfoSigningAlgValues: ['RS256', 'ES256'],
      introspectionSigningAlgValues: ['RS256', 'ES256'],
      authorizationSigningAlgValues: ['RS256', 'ES256'],
      clientAuthSigningAlgValues: ['RS256', 'ES256', 'PS256', 'EdDSA'],
      requestObjectSigningAlgValues: ['RS256', 'ES256', 'PS256', 'EdDSA'],
      dPoPSigningAlgValues: ['ES256', 'EdDSA', 'RS256', 'PS256'],
    },
    cookies: {
      keys: [...config.cookieKeys],
      names: {
        // `__Host-` pins the session cookie to this host and path /; it requires https.
        session: secureNames ? '__Host-authflow_session' : 'authflow_session',
        interaction: 'authflow_interaction',
        resume: 'authflow_resume',
      },
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // A client may ask about its own tokens; only clients registered with `can_introspect` (APIs) about others'.
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId || registered.introspectors.has(client.clientId),
      },
      revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      dPoP: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: pages.logoutSource, postLogoutSuccessSource: pages.postLogoutSuccessSource },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => resourceServerInfo(registered, indicator, config.ttl.accessToken),
      },
    },
    // Every client with the refresh_token grant gets one; without offline_access it ends with the session.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    loadExistingGrant: loadExistingGrant(registered),
    routes: PROVIDER_ROUTES,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: pages.renderError,
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.ttl.accessToken,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.ttl.accessToken,
      IdToken: config.ttl.idToken,
      AuthorizationCode: config.ttl.authorizationCode,
      RefreshToken: refreshTokenTtl(config),
      Session: sessionTtl(config),
      Interaction: config.ttl.interaction,
      Grant: config.ttl.refreshTokenAbsolute,
    },
  };
}
