import type { PrismaClient } from '../generated/prisma/client.js';
import type { SqlDriver } from './sql.js';

export interface AuditEntry {
  readonly type: string;
  readonly userId?: string | undefined;
  readonly clientId?: string | undefined;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly details?: Record<string, string | number | boolean | null>;
}

export class AuditRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: SqlDriver,
  ) {}

  /** Plain SQL: one row per sign-in attempt, on the login hot path. */
  async record(entry: AuditEntry): Promise<void> {
    await this.sql.query(
      'INSERT INTO audit_events (type, user_id, client_id, ip, user_agent, details) VALUES ($1, $2::uuid, $3, $4, $5, $6::jsonb)',
      [entry.type, entry.userId ?? null, entry.clientId ?? null, entry.ip ?? null, entry.userAgent?.slice(0, 512) ?? null, JSON.stringify(entry.details ?? {})],
    );
  }

  recent(filter: { type?: string; userId?: string }, take = 50) {
    return this.prisma.auditEvent.findMany({
      where: { ...(filter.type ? { type: filter.type } : {}), ...(filter.userId ? { userId: filter.userId } : {}) },
      orderBy: { id: 'desc' },
      take,
    });
  }
}
