import type { Context } from 'koa';
import { z } from 'zod';
import type { OidcStore } from '../db/oidc-store.js';

const COOKIE = 'authflow_account';
const PENDING_COOKIE = 'authflow_account_login';
export const ACCOUNT_SESSION_SECONDS = 15 * 60;
const PENDING_MS = 10 * 60_000;

/** The pages a sign-in may return to; anything else goes to /account. */
export const accountPathSchema = z.enum(['/account', '/account/password', '/account/email', '/account/email/verify']);
export type AccountPath = z.infer<typeof accountPathSchema>;

const sessionSchema = z.object({
  sub: z.string().min(1).max(64),
  /** The provider session's uid: the account pages live and die with it. */
  sid: z.string().min(1).max(128),
  iat: z.number().int().nonnegative(),
});
export type AccountSession = z.infer<typeof sessionSchema>;

const pendingSchema = z.object({
  verifier: z.string().min(43).max(128),
  state: z.string().min(1).max(128),
  nonce: z.string().min(1).max(128),
  back: accountPathSchema,
});
export type PendingLogin = z.infer<typeof pendingSchema>;

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode<T>(schema: z.ZodType<T>, raw: string | undefined): T | undefined {
  if (!raw) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

type CookieCtx = Pick<Context, 'cookies'>;

/**
 * The account pages' own short session: a signed cookie scoped to /account, nothing stored. It is
 * only honoured while the provider session it came from exists for the same account, so signing
 * out, a password reset or disabling the user ends it at once, not 15 minutes later.
 */
export class AccountSessions {
  constructor(
    private readonly deps: { readonly secureCookies: boolean; readonly store: OidcStore; readonly now?: () => number },
  ) {}

  private get options() {
    return { signed: true, httpOnly: true, sameSite: 'lax' as const, secure: this.deps.secureCookies, path: '/account', overwrite: true };
  }

  private nowSeconds(): number {
    return Math.floor((this.deps.now ? this.deps.now() : Date.now()) / 1000);
  }

  /** The signed-in account, or undefined when the cookie is missing, forged, stale or orphaned. */
  async current(ctx: CookieCtx): Promise<AccountSession | undefined> {
    const session = decode(sessionSchema, ctx.cookies.get(COOKIE, { signed: true }));
    if (!session) return undefined;
    const age = this.nowSeconds() - session.iat;
    if (age < -60 || age >= ACCOUNT_SESSION_SECONDS) return undefined;
    const provider = await this.deps.store.find('Session', { uid: session.sid }, new Date());
    return provider?.payload.accountId === session.sub ? session : undefined;
  }

  start(ctx: CookieCtx, session: { sub: string; sid: string }): void {
    const value: AccountSession = { ...session, iat: this.nowSeconds() };
    ctx.cookies.set(COOKIE, encode(value), { ...this.options, maxAge: ACCOUNT_SESSION_SECONDS * 1000 });
  }

  end(ctx: CookieCtx): void {
    ctx.cookies.set(COOKIE, '', { ...this.options, maxAge: 0 });
  }

  // Nothing is stored before the callback: verifier, state and nonce travel in a signed cookie.
  savePending(ctx: CookieCtx, pending: PendingLogin): void {
    ctx.cookies.set(PENDING_COOKIE, encode(pending), { ...this.options, maxAge: PENDING_MS });
  }

  takePending(ctx: CookieCtx): PendingLogin | undefined {
    const pending = decode(pendingSchema, ctx.cookies.get(PENDING_COOKIE, { signed: true }));
    ctx.cookies.set(PENDING_COOKIE, '', { ...this.options, maxAge: 0 });
    return pending;
  }
}
