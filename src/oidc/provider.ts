import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/index.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Logger } from '../logger.js';
import { buildConfiguration, type ConfigurationInputs } from './configuration.js';
import { existingScope } from './request-scope.js';

export type { Provider };

/** Builds the provider and wires its events into logs and the audit trail. */
export function createProvider(config: Config, inputs: ConfigurationInputs, audit: AuditLog, logger: Logger): Provider {
  const provider = new Provider(config.issuer, buildConfiguration(inputs));
  provider.use(settleWrites(provider));
  provider.proxy = config.trustProxy;
  // Only the entries our own proxies appended are trusted; anything further left is client-supplied.
  provider.maxIpsCount = config.trustProxyHops;

  provider.on('grant.error', (ctx, error) => {
    const detail = (error as { error_detail?: unknown }).error_detail;
    if (detail === 'refresh token already used') {
      audit.record(ctx, { type: 'refresh_token.reused', clientId: ctx.oidc.client?.clientId, details: { outcome: 'grant revoked' } });
    }
  });
  provider.on('grant.revoked', (ctx, grantId) => {
    logger.info({ grantId, clientId: ctx.oidc.client?.clientId }, 'grant revoked');
  });
  provider.on('server_error', (_ctx, error) => {
    logger.error({ err: error }, 'oidc provider error');
  });
  provider.on('end_session.success', (ctx) => {
    audit.record(ctx, { type: 'logout', userId: ctx.oidc.session?.accountId, clientId: ctx.oidc.client?.clientId });
  });
  return provider;
}

/**
 * Outermost provider middleware: no response leaves before the writes its request started are
 * committed (see RequestScope). If one failed, what the provider meant to answer (tokens, a code
 * in a redirect) is replaced by a server_error: nothing is handed out that was not stored.
 */
function settleWrites(provider: Provider) {
  const failed = (ctx: KoaContextWithOIDC, error: unknown) => {
    provider.emit('server_error', ctx, error);
    ctx.remove('location');
    ctx.set('cache-control', 'no-store');
    ctx.status = 500;
    ctx.body = { error: 'server_error', error_description: 'oops! something went wrong' };
  };
  // Not an async function: a request that wrote nothing (discovery, JWKS) costs one `then`.
  return (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> =>
    next().then(
      () => existingScope(ctx)?.settle().catch((error: unknown) => failed(ctx, error)),
      async (thrown: unknown) => {
        await existingScope(ctx)?.settle().catch((error: unknown) => provider.emit('server_error', ctx, error));
        throw thrown;
      },
    );
}
