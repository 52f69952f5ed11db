import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { loadOrCreateSigningKeys, rotateSigningKeys } from '../../src/oidc/keys.js';
import { startAuthFlow } from '../helpers/harness.js';
import { discover } from '../helpers/oidc.js';

describe('signing keys', () => {
  test('first start generates an RS256 and an ES256 key in a private file; later starts reuse them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authflow-keys-'));
    const first = await loadOrCreateSigningKeys(dir);
    expect(first.generated).toBe(true);
    expect(first.keys.map((k) => k.alg)).toEqual(['RS256', 'ES256']);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    const second = await loadOrCreateSigningKeys(dir);
    expect(second.generated).toBe(false);
    expect(second.keys.map((k) => k.kid)).toEqual(first.keys.map((k) => k.kid));
  });

  test('processes starting together end up with the same keys', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authflow-keys-'));
    const results = await Promise.all([loadOrCreateSigningKeys(dir), loadOrCreateSigningKeys(dir), loadOrCreateSigningKeys(dir)]);
    const onDisk = JSON.parse(readFileSync(path.join(dir, 'signing-keys.private.json'), 'utf8')) as { keys: { kid: string }[] };
    for (const r of results) expect(r.keys.map((k) => k.kid)).toEqual(onDisk.keys.map((k) => k.kid));
  });

  test('a corrupt key file stops start-up with a clear message', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authflow-keys-'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(dir, 'signing-keys.private.json'), '{"keys": "nope"}');
    await expect(loadOrCreateSigningKeys(dir)).rejects.toThrow(/not a valid signing key set/);
  });

  test('rotation signs with the new key and keeps the old one published: a token from before still verifies', async () => {
    const first = await startAuthFlow();
    const keysDir = first.config.keysDir;
    const dataDir = first.config.dataDir;
    let before: string;
    try {
      const service = await discover(first.issuer, 'service', 'service-secret-service-secret-service-secret');
      before = (await client.clientCredentialsGrant(service, { resource: 'https://api.example.test/', scope: 'read' })).access_token;
    } finally {
      // Its HTTP server too: one left listening kept the jest worker from exiting.
      await first.stop();
    }
    const { added, kept } = await rotateSigningKeys(keysDir);
    expect(added).toHaveLength(2);
    expect(kept).toHaveLength(2);
    const second = await startAuthFlow({ KEYS_DIR: keysDir, AUTHFLOW_DATA_DIR: dataDir });
    try {
      const jwks = createRemoteJWKSet(new URL('/jwks', second.issuer));
      const published = (await (await fetch(new URL('/jwks', second.issuer))).json()) as { keys: { kid: string; d?: string }[] };
      expect(published.keys.map((k) => k.kid)).toEqual([...added, ...kept]);
      expect(published.keys.every((k) => k.d === undefined)).toBe(true);
      await expect(jwtVerify(before, jwks, { audience: 'https://api.example.test/' })).resolves.toBeDefined();
      const service = await discover(second.issuer, 'service', 'service-secret-service-secret-service-secret');
      const after = (await client.clientCredentialsGrant(service, { resource: 'https://api.example.test/', scope: 'read' })).access_token;
      const { protectedHeader } = await jwtVerify(after, jwks, { audience: 'https://api.example.test/' });
      expect(added).toContain(protectedHeader.kid);
    } finally {
      await second.close();
    }
  });
});
