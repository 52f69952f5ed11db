import type { Context } from 'koa';
import type { AuditEntry, AuditRepository } from '../db/audit-repository.js';
import type { Logger } from '../logger.js';

export type AuditEvent = Omit<AuditEntry, 'ip' | 'userAgent'>;

/**
 * Security events (sign-ins, failures, token reuse, logouts) with the client's IP and user agent.
 * Writing is fire-and-forget: an audit outage is logged loudly but does not fail a user's request.
 */
export class AuditLog {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly repository: AuditRepository,
    private readonly logger: Logger,
  ) {}

  record(ctx: Pick<Context, 'ip' | 'get'>, event: AuditEvent): void {
    const entry: AuditEntry = { ...event, ip: ctx.ip, userAgent: ctx.get('user-agent') || undefined };
    this.logger.info({ audit: event.type, userId: event.userId, clientId: event.clientId, ip: ctx.ip }, 'audit');
    const write = this.repository
      .record(entry)
      .catch((error: unknown) => this.logger.error({ err: error, audit: event.type }, 'audit write failed'))
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Waits for writes under way, so a shutdown does not lose the last events. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
