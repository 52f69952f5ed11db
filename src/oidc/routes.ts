/**
 * node-oidc-provider's endpoint paths, set explicitly (they are its defaults) so that the HTTP
 * layer can tell its JSON endpoints from the ones that may answer with a page.
 */
export const PROVIDER_ROUTES = {
  authorization: '/auth',
  end_session: '/session/end',
  introspection: '/token/introspection',
  jwks: '/jwks',
  pushed_authorization_request: '/request',
  revocation: '/token/revocation',
  token: '/token',
  userinfo: '/me',
} as const;

/**
 * Endpoints whose every answer, errors included, is JSON (or a JWK Set, or a signed JWT): never a
 * document a browser renders. The authorization and end-session endpoints are not among them:
 * they render forms (form_post, logout confirmation) and error pages.
 */
export const API_PATHS: ReadonlySet<string> = new Set([
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  PROVIDER_ROUTES.jwks,
  PROVIDER_ROUTES.token,
  PROVIDER_ROUTES.introspection,
  PROVIDER_ROUTES.revocation,
  PROVIDER_ROUTES.userinfo,
  PROVIDER_ROUTES.pushed_authorization_request,
]);
