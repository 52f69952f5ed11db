import type { AdapterPayload } from 'oidc-provider';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';

export interface StoredArtifact {
  readonly payload: AdapterPayload;
  readonly consumedAt: Date | null;
}

type Lookup = { readonly id: string } | { readonly uid: string } | { readonly userCode: string };

function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Repository for the `oidc_models` table: every artifact the OIDC provider persists. */
export class OidcStore {
  constructor(private readonly prisma: PrismaClient) {}

  async upsert(model: string, id: string, payload: AdapterPayload, expiresAt: Date | null): Promise<void> {
    const columns = {
      payload: payload as Prisma.InputJsonValue,
      grantId: optionalString(payload.grantId),
      userCode: optionalString(payload.userCode),
      uid: optionalString(payload.uid),
      accountId: optionalString(payload.accountId),
      expiresAt,
    };
    await this.prisma.oidcModel.upsert({
      where: { model_id: { model, id } },
      create: { model, id, ...columns },
      // An upsert replaces the whole record, as the provider's own memory adapter does.
      update: { ...columns, consumedAt: null },
    });
  }

  async find(model: string, lookup: Lookup, now: Date): Promise<StoredArtifact | undefined> {
    const row = await this.prisma.oidcModel.findFirst({
      where: { model, ...lookup, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      select: { payload: true, consumedAt: true },
    });
    if (!row || typeof row.payload !== 'object' || row.payload === null || Array.isArray(row.payload)) return undefined;
    return { payload: row.payload as AdapterPayload, consumedAt: row.consumedAt };
  }

  /** Marks an artifact used; the first consumption time is kept so a replay cannot extend a grace window. */
  async consume(model: string, id: string, now: Date): Promise<boolean> {
    const { count } = await this.prisma.oidcModel.updateMany({ where: { model, id, consumedAt: null }, data: { consumedAt: now } });
    return count === 1;
  }

  async grantIdOf(model: string, id: string): Promise<string | undefined> {
    const row = await this.prisma.oidcModel.findUnique({ where: { model_id: { model, id } }, select: { grantId: true } });
    return row?.grantId ?? undefined;
  }

  /** Ends every artifact of a grant, whatever its model (a replayed code). */
  async destroyGrant(grantId: string): Promise<void> {
    await this.prisma.oidcModel.deleteMany({ where: { OR: [{ grantId }, { model: 'Grant', id: grantId }] } });
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.prisma.oidcModel.deleteMany({ where: { model, id } });
  }

  async destroyByGrantId(model: string, grantId: string): Promise<void> {
    await this.prisma.oidcModel.deleteMany({ where: { model, grantId } });
  }

  /** Ends everything a user holds: sessions, grants, codes and tokens (account disabled, password reset). */
  async destroyByAccountId(accountId: string): Promise<number> {
    const { count } = await this.prisma.oidcModel.deleteMany({ where: { accountId } });
    return count;
  }

  async purgeExpired(now: Date): Promise<number> {
    const { count } = await this.prisma.oidcModel.deleteMany({ where: { expiresAt: { lte: now } } });
    return count;
  }
}
