import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ClientsFileError, parseClients } from '../../src/oidc/clients-file.js';

const ISSUER = 'http://localhost:3000';
const demo = { client_id: 'demo', token_endpoint_auth_method: 'none', redirect_uris: ['{ISSUER}/demo/callback'] };

function errorOf(raw: unknown, secrets: Record<string, string> = {}): string {
  try {
    parseClients(raw, ISSUER, secrets);
  } catch (error) {
    expect(error).toBeInstanceOf(ClientsFileError);
    return (error as Error).message;
  }
  throw new Error('expected the clients file to be refused');
}

describe('clients.json', () => {
  test('the shipped file is valid: a public first-party demo client redirecting to the local demo page', () => {
    const raw: unknown = JSON.parse(readFileSync(path.resolve('clients.json'), 'utf8'));
    const { clients, firstParty } = parseClients(raw, ISSUER, {});
    const shipped = clients.find((c) => c.client_id === 'demo');
    expect(shipped).toMatchObject({ token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost:3000/demo/callback'] });
    expect(firstParty.has('demo')).toBe(true);
  });

  test('a secret can come from an environment variable', () => {
    const secret = 's'.repeat(40);
    const { clients } = parseClients({ clients: [{ client_id: 'api', client_secret_env: 'API_CLIENT_SECRET', grant_types: ['client_credentials'] }] }, ISSUER, { API_CLIENT_SECRET: secret });
    expect(clients[0]?.client_secret).toBe(secret);
  });

  test.each([
    [{ clients: [{ ...demo, redirect_uris: ['http://evil.example/cb'] }] }, 'client "demo": redirect_uris.0:'],
    [{ clients: [{ ...demo, redirect_uris: ['https://app.example/cb#frag'] }] }, 'client "demo": redirect_uris.0:'],
    [{ clients: [{ ...demo, grant_types: ['implicit'] }] }, 'client "demo": grant_types.0:'],
    [{ clients: [{ ...demo, token_endpoint_auth_method: 'client_secret_basic' }] }, 'client "demo": client_secret_env: a confidential client needs'],
    [{ clients: [{ ...demo, client_secret: 'x'.repeat(40) }] }, 'client "demo": client_secret: a public client'],
    [{ clients: [{ ...demo, unknown_field: 1 }] }, 'client "demo": entry: Unrecognized key'],
    [{ clients: [demo, demo] }, 'client "demo": client_id is registered twice'],
    [{ clients: [{ client_id: 'x', client_secret_env: 'MISSING_SECRET', grant_types: ['client_credentials'] }] }, 'client "x": client_secret_env: set MISSING_SECRET'],
    [{ clients: [{ client_id: 'bad id!' }] }, 'client "bad id!": client_id:'],
  ])('%j is refused naming the client and the field', (raw, message) => {
    expect(errorOf(raw)).toContain(message);
  });
});
