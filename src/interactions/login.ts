import { t } from '../errors/messages.js';
import { type Ctx, type Details, type InteractionDeps, finish, formLocals, page } from './interaction-context.js';
import { loginForm } from './schemas.js';
import { requireVerification } from './verify-email.js';
import { noteSignIn } from './device-notice.js';

export async function showLogin(ctx: Ctx, deps: InteractionDeps, details: Details, extra: { error?: string; login?: string } = {}, status = 200) {
  const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint.slice(0, 320) : '';
  const locals = formLocals(deps, details);
  await page(ctx, deps.render, 'interaction/login', {
    title: t('login.title'),
    ...locals,
    lead: t('login.lead', { client: locals.client }),
    login: extra.login ?? hint,
    forgot: `/forgot-password?return=${encodeURIComponent(locals.restart)}`,
    error: extra.error,
  }, status);
}

/**
 * Password sign-in. Every failure (unknown account, wrong password, disabled account) gets the
 * same status, text and timing; only the audit log knows which.
 */
export async function submitLogin(ctx: Ctx, deps: InteractionDeps, details: Details): Promise<void> {
  const form = loginForm.safeParse(ctx.state.form);
  if (!form.success) {
    await showLogin(ctx, deps, details, { error: t('login.failed') }, 400);
    return;
  }
  const check = await deps.users.authenticate(form.data.login, form.data.password);
  const clientId = String(details.params.client_id);
  if (!check.ok) {
    deps.audit.record(ctx, { type: 'login.failure', userId: check.userId, clientId, details: { method: 'password', knownAccount: check.userId !== undefined } });
    await showLogin(ctx, deps, details, { error: t('login.failed'), login: form.data.login }, 401);
    return;
  }
  if (deps.requireEmailVerification && !check.user.emailVerified) {
    deps.audit.record(ctx, { type: 'login.unverified', userId: check.user.id, clientId });
    return requireVerification(ctx, deps, details, check.user, true);
  }
  deps.audit.record(ctx, { type: 'login.success', userId: check.user.id, clientId, details: { method: 'password' } });
  await noteSignIn(ctx, deps, check.user);
  await finish(ctx, deps, { login: { accountId: check.user.id, amr: ['pwd'], remember: true } });
}
