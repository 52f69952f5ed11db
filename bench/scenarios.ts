import { clientCredentialsToken } from './http-flows.js';
import type { Bound, LoadSpec } from './load.js';
import { mintRefreshTokens, TokenPool } from './refresh-pool.js';
import type { ServerProcess } from './server-process.js';

export const JWT_API = 'https://jwt-api.bench.test/';
export const OPAQUE_API = 'https://opaque-api.bench.test/';

const form = (basicAuth: string) => ({ 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth });
const clientCredentials = (resource: string) => `grant_type=client_credentials&scope=read&resource=${encodeURIComponent(resource)}`;

/** The scenarios whose request is the same every time, in the order they run. */
export function fixedScenarios(basicAuth: string): LoadSpec[] {
  return [
    { name: 'discovery', method: 'GET', path: '/.well-known/openid-configuration' },
    { name: 'jwks', method: 'GET', path: '/jwks' },
    { name: 'cc-jwt', method: 'POST', path: '/token', headers: form(basicAuth), body: clientCredentials(JWT_API) },
    { name: 'cc-opaque', method: 'POST', path: '/token', headers: form(basicAuth), body: clientCredentials(OPAQUE_API) },
  ];
}

/** Introspection of one pre-issued opaque token, without token_type_hint (as most resource-server libraries send it). */
export async function introspectionScenario(issuer: string, basicAuth: string): Promise<LoadSpec> {
  const token = await clientCredentialsToken(issuer, basicAuth, OPAQUE_API);
  return { name: 'introspection', method: 'POST', path: '/token/introspection', headers: form(basicAuth), body: `token=${token}` };
}

/**
 * Refresh-token grant: mints a pool of never-used refresh tokens for `seconds × 1.5` (see
 * refresh-pool.ts); a few warm the path up, then each remaining token is sent exactly once.
 */
export async function refreshScenario(
  server: ServerProcess,
  accounts: readonly { login: string; password: string }[],
  options: { seconds: number; connections: number },
): Promise<{ spec: LoadSpec; warmup: Bound; run: Bound; minted: number }> {
  const tokens = await mintRefreshTokens(server.issuer, accounts, { seconds: options.seconds * 1.5, max: 60_000, workers: 8, perSession: 25 });
  const pool = new TokenPool(tokens);
  // The /token path is warm from minting; a short warm-up keeps most tokens for the measurement.
  const warmup = Math.min(500, Math.floor(tokens.length * 0.1));
  // autocannon prepares one request ahead per connection: leave those tokens spare.
  const run = Math.max(1, tokens.length - warmup - 3 * options.connections);
  return { spec: pool.spec(), warmup: { requests: warmup }, run: { requests: run }, minted: tokens.length };
}
