import Router from '@koa/router';
import * as client from 'openid-client';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { t, type MessageKey } from '../errors/messages.js';
import type { AppState } from '../http/state.js';
import { ACCOUNT_CLIENT_ID } from './account-client.js';
import { type AccountDeps, type Ctx, page, postedForm, requireAccount, seeOther } from './account-context.js';
import { emailRoutes } from './email-routes.js';

export type { AccountDeps } from './account-context.js';

const DONE = { password: 'account.done.password', email: 'account.done.email' } as const satisfies Record<string, MessageKey>;
const doneSchema = z.enum(['password', 'email']);

const passwordForm = z.object({
  current_password: z.string().max(1024),
  new_password: z.string().max(1024),
  // An unticked checkbox is simply absent from the form.
  sign_out_others: z.literal('on').optional(),
});

interface PasswordView {
  readonly csrf: string;
  readonly signOutOthers: boolean;
  readonly error?: string | undefined;
  readonly fieldError?: string | undefined;
}

function showPassword(ctx: Ctx, deps: AccountDeps, view: PasswordView, status = 200): Promise<void> {
  return page(ctx, deps, 'account/password', { title: t('account.password.title'), error: undefined, fieldError: undefined, ...view }, status);
}

/** The OIDC side of the account pages: the callback that starts their session, and signing out. */
function sessionRoutes(router: Router<AppState>, deps: AccountDeps): void {
  router.get('/account/callback', async (ctx) => {
    const pending = deps.sessions.takePending(ctx);
    if (!pending) throw AppError.badRequest('no_pending_login');
    const url = new URL(ctx.originalUrl, deps.client.redirectUri);
    // Cancelled at the sign-in page: nothing to show without an account.
    if (url.searchParams.has('error')) return seeOther(ctx, '/');
    const config = await deps.client.config();
    const checks = { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce };
    const response = await client.authorizationCodeGrant(config, url, checks).catch(() => {
      throw AppError.badRequest('login_failed');
    });
    const sub = response.claims()?.sub;
    const issued = await deps.findTokenSession(response.access_token);
    if (!sub || issued?.accountId !== sub || issued.clientId !== ACCOUNT_CLIENT_ID) throw AppError.badRequest('login_failed');
    deps.sessions.start(ctx, { sub, sid: issued.sessionUid });
    ctx.redirect(pending.back);
  });

  // Ends the account pages' session here, then asks the provider to end the SSO session (it confirms first).
  router.post('/account/logout', async (ctx) => {
    if (!(await postedForm(ctx, deps, '/account'))) return;
    deps.sessions.end(ctx);
    const config = await deps.client.config();
    seeOther(ctx, client.buildEndSessionUrl(config, { post_logout_redirect_uri: deps.client.postLogoutRedirectUri }).href);
  });
}

/** The signed-in user's own pages. */
export function accountRoutes(deps: AccountDeps): Router<AppState> {
  const router = new Router<AppState>();
  // Every answer here is about one person: never kept by a shared cache.
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  sessionRoutes(router, deps);

  router.get('/account', async (ctx) => {
    const account = await requireAccount(ctx, deps, '/account');
    if (!account) return;
    const done = doneSchema.safeParse(ctx.query.done);
    await page(ctx, deps, 'account/index', {
      title: t('account.title'),
      user: account.user,
      csrf: account.csrf,
      notice: done.success ? t(DONE[done.data]) : undefined,
    });
  });

  router.get('/account/password', async (ctx) => {
    const account = await requireAccount(ctx, deps, '/account/password');
    if (account) await showPassword(ctx, deps, { csrf: account.csrf, signOutOthers: true });
  });
  router.post('/account/password', async (ctx) => {
    const posted = await postedForm(ctx, deps, '/account/password');
    if (!posted) return;
    const { user, session, csrf } = posted;
    const form = passwordForm.safeParse(posted.fields);
    const signOutOthers = posted.fields.sign_out_others === 'on';
    if (!form.success) return showPassword(ctx, deps, { csrf, signOutOthers, error: t('account.password.failed') }, 400);
    const reauth = await deps.currentPassword.check(user, form.data.current_password);
    if (reauth !== 'ok') {
      if (reauth === 'wrong') deps.audit.record(ctx, { type: 'reauthentication.failed', userId: user.id, details: { form: 'password' } });
      const error = t(reauth === 'limited' ? 'account.limited' : 'account.password.wrong');
      return showPassword(ctx, deps, { csrf, signOutOthers, error }, reauth === 'limited' ? 429 : 400);
    }
    const result = await deps.passwords.change({ user, sessionUid: session.sid, password: form.data.new_password, signOutOthers });
    if (!result.ok) {
      const fieldError = t(`field.password.${result.problem}` as MessageKey);
      return showPassword(ctx, deps, { csrf, signOutOthers, error: t('account.password.failed'), fieldError }, 400);
    }
    deps.audit.record(ctx, { type: 'password.changed', userId: user.id, details: { signedOutOthers: signOutOthers, ended: result.signedOut } });
    seeOther(ctx, '/account?done=password');
  });

  emailRoutes(router, deps);
  return router;
}
