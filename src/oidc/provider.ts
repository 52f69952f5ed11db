import Provider from 'oidc-provider';
import type { Config } from '../config/index.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Logger } from '../logger.js';
import { buildConfiguration, type ConfigurationInputs } from './configuration.js';

export type { Provider };

/** Builds the provider and wires its events into logs and the audit trail. */
export function createProvider(config: Config, inputs: ConfigurationInputs, audit: AuditLog, logger: Logger): Provider {
  const provider = new Provider(config.issuer, buildConfiguration(inputs));
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
