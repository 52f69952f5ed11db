import { errors, type Adapter, type AdapterFactory, type AdapterPayload } from 'oidc-provider';
import type { OidcStore, StoredArtifact } from '../db/oidc-store.js';
import { currentScope, type RequestScope } from './request-scope.js';

/** Artifacts that may be redeemed once; a refresh token's second use within the grace is a race, not a replay. */
const SINGLE_USE = new Set(['AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest']);
/** Tokens whose redemption goes on to read their session, grant and account (see RequestScope). */
const WITH_CONTEXT = new Set(['AuthorizationCode', 'RefreshToken', 'AccessToken']);

export interface AdapterOptions {
  /** Seconds after a refresh token was rotated during which presenting it again is a race, not a replay. */
  readonly refreshTokenGraceSeconds: number;
  readonly now?: () => number;
}

/**
 * node-oidc-provider's storage contract over one table (see OidcStore). The adapter maps the
 * provider's vocabulary (consumed, expiresIn, grantId, uid, userCode) onto rows, and within a
 * provider request uses what the request read ahead and defers its writes (see RequestScope).
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
    const write = () => this.store.upsert(this.model, id, payload, expiresAt);
    const scope = currentScope();
    if (scope) scope.write(this.model, id, write);
    else await write();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const scope = await this.readingScope();
    const now = new Date(this.now());
    const known = scope?.artifact(this.model, id);
    if (known !== undefined) return known ? this.present(known) : undefined;
    if (scope?.readsTokenContext && WITH_CONTEXT.has(this.model)) {
      const context = await this.store.findWithContext(this.model, id, now);
      if (context) scope.remember(context);
      return context ? this.present(context.token) : undefined;
    }
    const row = await this.store.findById(this.model, id, now);
    return row ? this.present(row) : undefined;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const scope = await this.readingScope();
    const known = this.model === 'Session' ? scope?.session(uid) : undefined;
    const row = known === undefined ? await this.store.find(this.model, { uid }, new Date(this.now())) : known;
    return row ? this.withConsumed(row.payload, row.consumedAt) : undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    await this.readingScope();
    const row = await this.store.find(this.model, { userCode }, new Date(this.now()));
    return row ? this.withConsumed(row.payload, row.consumedAt) : undefined;
  }

  async consume(id: string): Promise<void> {
    const scope = await this.readingScope();
    // A rotated refresh token's consume decides nothing here (the provider checked `consumed`
    // when it found the token, and a race within the grace is allowed): it is written with the
    // tokens that replace it.
    if (scope && this.model === 'RefreshToken') {
      scope.write(this.model, id, async () => {
        await this.store.consume(this.model, id, new Date(this.now()));
      });
      return;
    }
    const first = await this.store.consume(this.model, id, new Date(this.now()));
    if (first) return;
    // The provider checks `consumed` before it consumes; two requests racing with one code or one
    // pushed request both pass that check. Only the one whose update won may proceed.
    if (SINGLE_USE.has(this.model)) {
      scope?.forget();
      const grantId = await this.store.grantIdOf(this.model, id);
      if (grantId) await this.store.destroyGrant(grantId);
      throw new errors.InvalidGrant('authorization code already used');
    }
    if (this.model === 'PushedAuthorizationRequest') throw new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used');
  }

  async destroy(id: string): Promise<void> {
    (await this.readingScope())?.forget();
    await this.store.destroy(this.model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    (await this.readingScope())?.forget();
    await this.store.destroyByGrantId(this.model, grantId);
  }

  /** The current request's scope, once the writes it started are visible to what it does next. */
  private async readingScope(): Promise<RequestScope | undefined> {
    const scope = currentScope();
    await scope?.writesVisible();
    return scope;
  }

  /** A found token as the provider expects it: consumed, unless a rotated refresh token is still in its grace. */
  private present(row: StoredArtifact): AdapterPayload {
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

  private withConsumed(payload: AdapterPayload, consumedAt: Date | null): AdapterPayload {
    return consumedAt ? { ...payload, consumed: Math.floor(consumedAt.getTime() / 1000) } : payload;
  }
}

export function oidcAdapterFactory(store: OidcStore, options: AdapterOptions): AdapterFactory {
  return (model: string) => new OidcAdapter(store, model, options);
}
