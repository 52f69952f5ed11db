import { readFileSync } from 'node:fs';
import type { ClientMetadata } from 'oidc-provider';
import { z } from 'zod';

export class ClientsFileError extends Error {}

/** The OpenID scopes the provider knows; API scopes belong to resource servers, not to a client's `scope`. */
export const SUPPORTED_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'roles'] as const;

const ID = /^[A-Za-z0-9._~-]{1,100}$/;

function isAllowedRedirect(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.hash) return false;
  if (url.protocol === 'https:') return true;
  if (url.protocol === 'http:') return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  // Native apps: private-use URI schemes in reverse-domain form (RFC 8252 §7.1).
  return /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol);
}

const redirectUri = z.string().refine(isAllowedRedirect, 'must be an https URL, an http loopback URL or a reverse-domain app scheme, without a fragment');

const clientEntry = z
  .object({
    client_id: z.string().regex(ID, 'must be 1-100 characters of letters, digits and . _ ~ -'),
    client_name: z.string().min(1).max(200).optional(),
    first_party: z.boolean().default(false),
    can_introspect: z.boolean().default(false),
    token_endpoint_auth_method: z.enum(['none', 'client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
    client_secret: z.string().min(32, 'must be at least 32 characters').optional(),
    client_secret_env: z.string().regex(/^[A-Z0-9_]+_SECRET$/, 'must name an environment variable ending in _SECRET').optional(),
    grant_types: z.array(z.enum(['authorization_code', 'refresh_token', 'client_credentials'])).min(1).default(['authorization_code', 'refresh_token']),
    redirect_uris: z.array(redirectUri).default([]),
    post_logout_redirect_uris: z.array(redirectUri).default([]),
    scope: z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'must be space-separated scope names').optional(),
    backchannel_logout_uri: z.url({ protocol: /^https?$/ }).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const publicClient = c.token_endpoint_auth_method === 'none';
    if (publicClient && (c.client_secret || c.client_secret_env)) {
      ctx.addIssue({ code: 'custom', path: ['client_secret'], message: 'a public client (token_endpoint_auth_method "none") has no secret' });
    }
    if (!publicClient && !c.client_secret && !c.client_secret_env) {
      ctx.addIssue({ code: 'custom', path: ['client_secret_env'], message: 'a confidential client needs client_secret_env (or client_secret)' });
    }
    if (publicClient && c.can_introspect) {
      ctx.addIssue({ code: 'custom', path: ['can_introspect'], message: 'only a confidential client may introspect other clients\' tokens' });
    }
    if (publicClient && c.grant_types.includes('client_credentials')) {
      ctx.addIssue({ code: 'custom', path: ['grant_types'], message: 'client_credentials needs a confidential client' });
    }
    const unknown = (c.scope ?? '').split(' ').filter((s) => s && !(SUPPORTED_SCOPES as readonly string[]).includes(s));
    if (unknown.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['scope'], message: `unknown scope ${unknown.join(', ')} (supported: ${SUPPORTED_SCOPES.join(' ')})` });
    }
    if (c.grant_types.includes('authorization_code') && c.redirect_uris.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['redirect_uris'], message: 'the authorization_code grant needs at least one redirect URI' });
    }
  });

const resourceServerEntry = z
  .object({
    indicator: z.url().refine((u) => !u.includes('#'), 'must not contain a fragment'),
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/)).default([]),
    access_token_format: z.enum(['jwt', 'opaque']).default('jwt'),
    access_token_ttl: z.number().int().min(60).max(86400).optional(),
  })
  .strict();

const fileSchema = z
  .object({
    clients: z.array(z.unknown()).default([]),
    resource_servers: z.array(z.unknown()).default([]),
  })
  .strict();

export type ResourceServerEntry = z.infer<typeof resourceServerEntry>;

export interface RegisteredClients {
  readonly clients: ClientMetadata[];
  readonly firstParty: ReadonlySet<string>;
  /** Confidential clients (usually APIs) allowed to introspect tokens issued to other clients. */
  readonly introspectors: ReadonlySet<string>;
  readonly resourceServers: ReadonlyMap<string, ResourceServerEntry>;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return `${issue.path.join('.') || 'entry'}: ${issue.message}`;
}


export function parseClients(raw: unknown, issuer: string, secrets: Readonly<Record<string, string>>): RegisteredClients {
  const file = fileSchema.safeParse(raw);
  if (!file.success) throw new ClientsFileError(`clients file: ${firstIssue(file.error)}`);
  const clients: ClientMetadata[] = [];
  const firstParty = new Set<string>();
  const introspectors = new Set<string>();
  const seen = new Set<string>();
  file.data.clients.forEach((entry, index) => {
    const name = typeof entry === 'object' && entry !== null && 'client_id' in entry ? String(entry.client_id) : `#${index}`;
    // `{ISSUER}` stands for the configured issuer, so the shipped demo client works on any port.
    const withIssuer =
      typeof entry === 'object' && entry !== null
        ? JSON.parse(JSON.stringify(entry).replaceAll('{ISSUER}', issuer)) as unknown
        : entry;
    const parsed = clientEntry.safeParse(withIssuer);
    if (!parsed.success) throw new ClientsFileError(`client "${name}": ${firstIssue(parsed.error)}`);
    const c = parsed.data;
    if (seen.has(c.client_id)) throw new ClientsFileError(`client "${c.client_id}": client_id is registered twice`);
    seen.add(c.client_id);
    let secret = c.client_secret;
    if (c.client_secret_env) {
      secret = secrets[c.client_secret_env];
      if (!secret || secret.length < 32) {
        throw new ClientsFileError(`client "${c.client_id}": client_secret_env: set ${c.client_secret_env} to a secret of at least 32 characters`);
      }
    }
    if (c.first_party) firstParty.add(c.client_id);
    if (c.can_introspect) introspectors.add(c.client_id);
    clients.push({
      client_id: c.client_id,
      ...(c.client_name ? { client_name: c.client_name } : {}),
      ...(secret ? { client_secret: secret } : {}),
      token_endpoint_auth_method: c.token_endpoint_auth_method,
      grant_types: c.grant_types,
      response_types: c.grant_types.includes('authorization_code') ? ['code'] : [],
      redirect_uris: c.redirect_uris,
      post_logout_redirect_uris: c.post_logout_redirect_uris,
      ...(c.scope ? { scope: c.scope } : {}),
      ...(c.backchannel_logout_uri ? { backchannel_logout_uri: c.backchannel_logout_uri } : {}),
    });
  });
  const resourceServers = new Map<string, ResourceServerEntry>();
  file.data.resource_servers.forEach((entry, index) => {
    const parsed = resourceServerEntry.safeParse(entry);
    if (!parsed.success) throw new ClientsFileError(`resource server #${index}: ${firstIssue(parsed.error)}`);
    resourceServers.set(parsed.data.indicator, parsed.data);
  });
  return { clients, firstParty, introspectors, resourceServers };
}

/** The registration without one client (the shipped demo client when /demo is off). */
export function withoutClient(registered: RegisteredClients, clientId: string): RegisteredClients {
  return { ...registered, clients: registered.clients.filter((c) => c.client_id !== clientId) };
}

export function loadClientsFile(file: string, issuer: string, secrets: Readonly<Record<string, string>>): RegisteredClients {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ClientsFileError(`clients file ${file}: ${(error as Error).message}`);
  }
  return parseClients(raw, issuer, secrets);
}
