import type { RouterContext } from '@koa/router';
import * as client from 'openid-client';
import type { AuditLog } from '../audit/audit-log.js';
import type { User } from '../db/users-repository.js';
import { AppError } from '../errors/app-error.js';
import type { Csrf } from '../http/csrf.js';
import { readForm } from '../http/form-body.js';
import type { AppState } from '../http/state.js';
import { sendPage, type PageLocals, type Renderer } from '../http/views.js';
import type { FindTokenSession } from '../oidc/token-session.js';
import type { UsersService } from '../users/users-service.js';
import type { OwnClient } from '../http/own-client.js';
import type { AccountPath, AccountSession, AccountSessions } from './account-session.js';
import type { CurrentPassword } from './current-password.js';
import type { EmailChange } from './email-change.js';
import type { PasswordChange } from './password-change.js';

export type Ctx = RouterContext<AppState>;

export interface AccountDeps {
  readonly client: OwnClient;
  readonly sessions: AccountSessions;
  readonly findTokenSession: FindTokenSession;
  readonly users: UsersService;
  readonly currentPassword: CurrentPassword;
  readonly passwords: PasswordChange;
  readonly emails: EmailChange;
  readonly render: Renderer;
  readonly csrf: Csrf;
  readonly audit: AuditLog;
}

export interface SignedIn {
  readonly session: AccountSession;
  readonly user: User;
  readonly csrf: string;
}

export const ACCOUNT_SCOPE = 'openid profile email';

const csrfBinding = (session: AccountSession) => `account:${session.sid}`;

export function page(ctx: Ctx, deps: AccountDeps, template: string, locals: PageLocals, status = 200): Promise<void> {
  return sendPage(ctx, deps.render, template, locals, status);
}

/** Sends the browser through the provider's sign-in (silent while its SSO session lasts) and back to `back`. */
export async function startSignIn(ctx: Ctx, deps: AccountDeps, back: AccountPath): Promise<void> {
  const config = await deps.client.config();
  const pending = { verifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce(), back };
  deps.sessions.savePending(ctx, pending);
  ctx.status = ctx.method === 'GET' ? 302 : 303;
  ctx.redirect(client.buildAuthorizationUrl(config, {
    redirect_uri: deps.client.redirectUri,
    scope: ACCOUNT_SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  }).href);
}

async function signedIn(ctx: Ctx, deps: AccountDeps): Promise<Omit<SignedIn, 'csrf'> | undefined> {
  const session = await deps.sessions.current(ctx);
  if (!session) return undefined;
  const user = await deps.users.findById(session.sub);
  return user?.status === 'active' ? { session, user } : undefined;
}

/** The signed-in account for a page, or undefined after starting a sign-in that returns to `back`. */
export async function requireAccount(ctx: Ctx, deps: AccountDeps, back: AccountPath): Promise<SignedIn | undefined> {
  const current = await signedIn(ctx, deps);
  if (!current) {
    await startSignIn(ctx, deps, back);
    return undefined;
  }
  return { ...current, csrf: deps.csrf.token(csrfBinding(current.session)) };
}

/**
 * A POST from an account page: form-encoded, from a live account session, with that session's
 * CSRF token. A session that lapsed while the form was open gets the page again (via sign-in),
 * never a change.
 */
export async function postedForm(ctx: Ctx, deps: AccountDeps, back: AccountPath): Promise<(SignedIn & { fields: Record<string, string> }) | undefined> {
  if (!ctx.is('application/x-www-form-urlencoded')) throw new AppError(415, 'unsupported_media_type', 'error.bad_request');
  const fields = await readForm(ctx.req);
  const current = await signedIn(ctx, deps);
  if (!current) {
    ctx.status = 303;
    ctx.redirect(back);
    return undefined;
  }
  const binding = csrfBinding(current.session);
  if (!deps.csrf.verify(binding, fields._csrf)) throw AppError.csrf();
  return { ...current, csrf: deps.csrf.token(binding), fields };
}

/** Post/Redirect/Get: a successful change answers with a 303 to a page. */
export function seeOther(ctx: Ctx, location: string): void {
  ctx.status = 303;
  ctx.redirect(location);
}
