import * as client from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startAuthFlow, type Harness } from '../helpers/harness.js';
import { discover } from '../helpers/oidc.js';

const SECRET = 'service-secret-service-secret-service-secret';
let af: Harness;
let service: client.Configuration;

beforeAll(async () => {
  af = await startAuthFlow();
  service = await discover(af.issuer, 'service', SECRET);
});
afterAll(() => af.close());

describe('client credentials with resource indicators', () => {
  test('a resource indicator yields an ES256 JWT access token audienced to that API', async () => {
    const tokens = await client.clientCredentialsGrant(service, { scope: 'read', resource: 'https://api.example.test/' });
    expect(decodeProtectedHeader(tokens.access_token).alg).toBe('ES256');
    const jwks = createRemoteJWKSet(new URL('/jwks', af.issuer));
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: af.issuer, audience: 'https://api.example.test/', algorithms: ['ES256'] });
    expect(payload).toMatchObject({ client_id: 'service', scope: 'read' });
    expect(tokens.expires_in).toBe(3600);
  });

  test('an opaque resource server gets an opaque token that introspects as active', async () => {
    const tokens = await client.clientCredentialsGrant(service, { scope: 'read', resource: 'https://opaque.example.test/' });
    expect(tokens.access_token.split('.')).toHaveLength(1);
    const info = await client.tokenIntrospection(service, tokens.access_token);
    expect(info).toMatchObject({ active: true, client_id: 'service', aud: 'https://opaque.example.test/' });
  });

  test('an unknown resource is invalid_target and a wrong secret is invalid_client', async () => {
    await expect(client.clientCredentialsGrant(service, { resource: 'https://unknown.example.test/' })).rejects.toMatchObject({ error: 'invalid_target' });
    const wrong = await discover(af.issuer, 'service', `${SECRET}x`);
    const refused = await client.clientCredentialsGrant(wrong, { resource: 'https://api.example.test/' }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 401 });
    expect(JSON.stringify(await (refused as { response: Response }).response.json())).toContain('invalid_client');
  });

  test('a public client may not use client credentials', async () => {
    const pub = await discover(af.issuer, 'first-party');
    await expect(client.clientCredentialsGrant(pub, {})).rejects.toMatchObject({ error: 'invalid_request', error_description: 'requested grant type is not allowed for this client' });
  });
});
