import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import type { StoredArtifact, TokenContext } from '../db/oidc-store.js';
import type { User } from '../db/users-repository.js';

const scopes = new WeakMap<object, RequestScope>();

const key = (model: string, id: string) => `${model}\u0000${id}`;
const sessionKey = (uid: string) => key('Session', `uid\u0000${uid}`);

/**
 * What the adapter knows about one provider request: rows read ahead with a token (its session,
 * grant and account, so redeeming it costs one read instead of four), and writes it started and
 * has not yet seen committed.
 *
 * Writes are not awaited where the provider makes them: a refresh consumes the old token and saves
 * a new refresh token and an access token one after another, three round trips on PostgreSQL.
 * Started at once instead, they are awaited together before the response leaves (see
 * `settleWrites` in provider.ts), so nothing is answered that is not stored. Within the request,
 * writes of one artifact keep their order, and every read first waits for the writes before it,
 * so the request still reads what it wrote.
 */
export class RequestScope {
  private readonly known = new Map<string, StoredArtifact | null>();
  private readonly accounts = new Map<string, User | null>();
  private readonly lastWrite = new Map<string, Promise<void>>();
  /** Writes not yet finished; each removes itself. They never reject: a failure is kept in `failure`. */
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { readonly reason: unknown } | undefined;

  constructor(
    /** The route the provider matched: only token redemption and userinfo read a token's context. */
    readonly route: string | undefined,
  ) {}

  get readsTokenContext(): boolean {
    return this.route === 'token' || this.route === 'userinfo';
  }

  /** What was read ahead for this artifact: a row, null for "gone", undefined for "not read". */
  artifact(model: string, id: string): StoredArtifact | null | undefined {
    return this.known.get(key(model, id));
  }

  session(uid: string): StoredArtifact | null | undefined {
    return this.known.get(sessionKey(uid));
  }

  account(id: string): User | null | undefined {
    return this.accounts.get(id);
  }

  remember(context: TokenContext): void {
    if (context.session) this.known.set(sessionKey(context.session.uid), context.session.artifact);
    if (context.grant) this.known.set(key('Grant', context.grant.id), context.grant.artifact);
    if (context.account) this.accounts.set(context.account.id, context.account.user);
  }

  /** Starts a write of one artifact after this request's earlier writes of it; it is awaited by `settle`. */
  write(model: string, id: string, run: () => Promise<void>): void {
    const k = key(model, id);
    this.known.delete(k);
    if (model === 'Session') this.forgetSessions();
    const before = this.lastWrite.get(k);
    const started = before ? before.then(run, run) : run();
    this.lastWrite.set(k, started);
    const tracked: Promise<void> = started.then(
      () => {
        this.inFlight.delete(tracked);
      },
      (reason: unknown) => {
        this.failure ??= { reason };
        this.inFlight.delete(tracked);
      },
    );
    this.inFlight.add(tracked);
  }

  /** Something was deleted or revoked: nothing read ahead can be trusted any more. */
  forget(): void {
    this.known.clear();
    this.accounts.clear();
  }

  /** Before a read: the request's own writes must be visible to it, and a failed one fails it too. */
  async writesVisible(): Promise<void> {
    if (this.inFlight.size > 0 || this.failure) await this.settle();
  }

  /**
   * Waits until no write is in flight, those started meanwhile included, then rejects if any write
   * of this request failed. Callers waiting at once all wait for everything, and a failure stays
   * reported: the last settle, before the answer, sees it even if a read already did.
   */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    if (this.failure) throw this.failure.reason;
  }

  private forgetSessions(): void {
    for (const k of this.known.keys()) if (k.startsWith(sessionKey(''))) this.known.delete(k);
  }
}

/** The scope of a provider request; created on first use. */
export function scopeOf(ctx: KoaContextWithOIDC): RequestScope {
  let scope = scopes.get(ctx);
  if (!scope) {
    scope = new RequestScope(ctx.oidc.route);
    scopes.set(ctx, scope);
  }
  return scope;
}

/** The scope of the provider request this code runs for; undefined outside one (our own pages). */
export function currentScope(): RequestScope | undefined {
  const ctx = Provider.ctx;
  return ctx ? scopeOf(ctx) : undefined;
}

/** The scope a request used, if it used one (for settling it). */
export function existingScope(ctx: object): RequestScope | undefined {
  return scopes.get(ctx);
}
