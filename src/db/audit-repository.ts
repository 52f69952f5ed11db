import type { Prisma, PrismaClient } from '../generated/prisma/client.js';

export interface AuditEntry {
  readonly type: string;
  readonly userId?: string | undefined;
  readonly clientId?: string | undefined;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly details?: Record<string, string | number | boolean | null>;
}

export class AuditRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.prisma.auditEvent.create({
      data: {
        type: entry.type,
        userId: entry.userId ?? null,
        clientId: entry.clientId ?? null,
        ip: entry.ip ?? null,
        userAgent: entry.userAgent?.slice(0, 512) ?? null,
        details: (entry.details ?? {}) as Prisma.InputJsonValue,
      },
    });
  }

  recent(filter: { type?: string; userId?: string }, take = 50) {
    return this.prisma.auditEvent.findMany({
      where: { ...(filter.type ? { type: filter.type } : {}), ...(filter.userId ? { userId: filter.userId } : {}) },
      orderBy: { id: 'desc' },
      take,
    });
  }
}
