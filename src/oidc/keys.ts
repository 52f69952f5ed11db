import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { z } from 'zod';

const KEYS_FILE = 'signing-keys.private.json';
export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;

const privateJwk = z
  .object({ kty: z.enum(['RSA', 'EC']), kid: z.string().min(1), alg: z.enum(SIGNING_ALGORITHMS), use: z.literal('sig'), d: z.string().min(1) })
  .catchall(z.unknown());
const keysFile = z.object({ keys: z.array(privateJwk).min(1) });

export type SigningJwk = z.infer<typeof privateJwk>;

export class KeysError extends Error {}

async function newKey(alg: (typeof SIGNING_ALGORITHMS)[number]): Promise<SigningJwk> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return privateJwk.parse({ ...jwk, kid, alg, use: 'sig' });
}

function readKeys(file: string): SigningJwk[] | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KeysError(`${file}: ${(error as Error).message}`);
  }
  try {
    return keysFile.parse(JSON.parse(text)).keys;
  } catch {
    throw new KeysError(`${file} is not a valid signing key set; restore it from a backup or remove it to generate new keys`);
  }
}

/** Writes next to the target and renames, so a reader never sees half a file. */
function writeKeys(file: string, keys: SigningJwk[], exclusive: boolean): void {
  const body = JSON.stringify({ keys }, null, 2);
  if (exclusive) {
    writeFileSync(file, body, { mode: 0o600, flag: 'wx' });
    return;
  }
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, body, { mode: 0o600 });
  renameSync(temp, file);
}

export interface LoadedKeys {
  readonly keys: SigningJwk[];
  readonly generated: boolean;
  readonly file: string;
}

/** Loads the signing keys, generating an RS256 and an ES256 key on first start. */
export async function loadOrCreateSigningKeys(dir: string): Promise<LoadedKeys> {
  const file = path.join(dir, KEYS_FILE);
  const existing = readKeys(file);
  if (existing) return { keys: existing, generated: false, file };
  mkdirSync(dir, { recursive: true });
  const keys = await Promise.all(SIGNING_ALGORITHMS.map(newKey));
  try {
    writeKeys(file, keys, true);
  } catch (error) {
    // Another process created them first: use theirs, so every process signs with the same keys.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      const theirs = readKeys(file);
      if (theirs) return { keys: theirs, generated: false, file };
    }
    throw error;
  }
  return { keys, generated: true, file };
}

/** Puts a new key of each algorithm first (used for signing) and keeps the old ones published. */
export async function rotateSigningKeys(dir: string): Promise<{ added: string[]; kept: string[] }> {
  const { keys: current, file } = await loadOrCreateSigningKeys(dir);
  const fresh = await Promise.all(SIGNING_ALGORITHMS.map(newKey));
  writeKeys(file, [...fresh, ...current], false);
  return { added: fresh.map((k) => k.kid), kept: current.map((k) => k.kid) };
}
