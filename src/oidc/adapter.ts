import { errors, type Adapter, type AdapterFactory, type AdapterPayload } from 'oidc-provider';
import type { OidcStore } from '../db/oidc-store.js';

/** Artifacts that may be redeemed once; a refresh token's second use within the grace is a race, not a replay. */
const SINGLE_USE = new Set(['AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest']);

export interface AdapterOptions {
  /** Seconds after a refresh token was rotated during which presenting it again is a race, not a replay. */
  readonly refreshTokenGraceSeconds: number;
  readonly now?: () => number;
}

/**
 * node-oidc-provider's storage contract over one table (see OidcStore). The adapter only maps the
 * provider's vocabulary (consumed, expiresIn, grantId, uid, userCode) onto rows.
 */
export class OidcAdapter implements Adapter {
  constructor(
    private readonly store: OidcStore,
    private readonly model: string,
    private readonly options: AdapterOptions,
  ) {}

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    // Zero or negative means "already expired" (the provider passes exp - now), never "forever":
    // only a missing expiresIn (database-stored clients) means no expiry.
    const expiresAt = typeof expiresIn === 'number' ? new Date(this.now() + expiresIn * 1000) : null;
    await this.store.upsert(this.model, id, payload, expiresAt);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const row = await this.store.findById(this.model, id, new Date(this.now()));
    if (!row) return undefined;
    if (!row.consumedAt) return row.payload;
    const consumedFor = (this.now() - row.consumedAt.getTime()) / 1000;
    // Two requests racing with the same refresh token: the later one sees it as still usable
    // instead of revoking the user's grant. Any later reuse is a replay and revokes the grant.
    // A negative age (clocks of two processes disagreeing) must not stretch the window.
    if (this.model === 'RefreshToken' && consumedFor >= 0 && consumedFor <= this.options.refreshTokenGraceSeconds) {
      return row.payload;
    }
    return { ...row.payload, consumed: Math.floor(row.consumedAt.getTime() / 1000) };
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const row = await this.store.find(this.model, { uid }, new Date(this.now()));
    return row ? this.withConsumed(row.payload, row.consumedAt) : undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const row = await this.store.find(this.model, { userCode }, new Date(this.now()));
    return row ? this.withConsumed(row.payload, row.consumedAt) : undefined;
  }

  async consume(id: string): Promise<void> {
    const first = await this.store.consume(this.model, id, new Date(this.now()));
    // The provider checks `consumed` before it consumes; two exchanges racing with one code both
    // pass that check. Only the one whose update won may proceed; the other revokes the grant.
    if (!first && SINGLE_USE.has(this.model)) {
      const grantId = await this.store.grantIdOf(this.model, id);
      if (grantId) await this.store.destroyGrant(grantId);
      throw new errors.InvalidGrant('authorization code already used');
    }
  }

  async destroy(id: string): Promise<void> {
    await this.store.destroy(this.model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.store.destroyByGrantId(this.model, grantId);
  }

  private withConsumed(payload: AdapterPayload, consumedAt: Date | null): AdapterPayload {
    return consumedAt ? { ...payload, consumed: Math.floor(consumedAt.getTime() / 1000) } : payload;
  }
}

export function oidcAdapterFactory(store: OidcStore, options: AdapterOptions): AdapterFactory {
  return (model: string) => new OidcAdapter(store, model, options);
}

