import type Router from '@koa/router';
import { z } from 'zod';
import { t, type MessageKey } from '../errors/messages.js';
import type { AppState } from '../http/state.js';
import { type AccountDeps, type Ctx, page, postedForm, requireAccount, seeOther } from './account-context.js';

const emailForm = z.object({
  email: z.string().trim().max(254).pipe(z.email()),
  current_password: z.string().max(1024),
});
const codeForm = z.object({ code: z.string().trim().regex(/^\d{6}$/) });

interface EmailView {
  readonly csrf: string;
  readonly email: string;
  readonly error?: string | undefined;
  readonly fieldError?: string | undefined;
}

function showEmail(ctx: Ctx, deps: AccountDeps, view: EmailView, status = 200): Promise<void> {
  return page(ctx, deps, 'account/email', { title: t('account.email.title'), error: undefined, fieldError: undefined, ...view }, status);
}

function showCode(ctx: Ctx, deps: AccountDeps, view: { csrf: string; email: string; error?: string }, status = 200): Promise<void> {
  return page(ctx, deps, 'account/email-verify', {
    title: t('account.email.verify_title'),
    lead: t('account.email.verify_lead', { email: view.email }),
    csrf: view.csrf,
    error: view.error,
  }, status);
}

/** Changing the address: the new one gets a code and a link; the account moves only once either is used. */
export function emailRoutes(router: Router<AppState>, deps: AccountDeps): void {
  router.get('/account/email', async (ctx) => {
    const account = await requireAccount(ctx, deps, '/account/email');
    if (account) await showEmail(ctx, deps, { csrf: account.csrf, email: '' });
  });
  router.post('/account/email', async (ctx) => {
    const posted = await postedForm(ctx, deps, '/account/email');
    if (!posted) return;
    const { user, csrf } = posted;
    const echo = (posted.fields.email ?? '').slice(0, 320);
    const form = emailForm.safeParse(posted.fields);
    if (!form.success) {
      return showEmail(ctx, deps, { csrf, email: echo, error: t('account.email.failed'), fieldError: t('field.email.invalid') }, 400);
    }
    const reauth = await deps.currentPassword.check(user, form.data.current_password);
    if (reauth !== 'ok') {
      if (reauth === 'wrong') deps.audit.record(ctx, { type: 'reauthentication.failed', userId: user.id, details: { form: 'email' } });
      const error = t(reauth === 'limited' ? 'account.limited' : 'account.password.wrong');
      return showEmail(ctx, deps, { csrf, email: echo, error }, reauth === 'limited' ? 429 : 400);
    }
    const result = await deps.emails.request(user, form.data.email);
    if (!result.ok) {
      const [key, status] = ({ taken: ['register.taken', 409], same: ['account.email.same', 400], limited: ['verify.limited', 429] } as const)[result.reason];
      return showEmail(ctx, deps, { csrf, email: echo, error: t(key) }, status);
    }
    deps.audit.record(ctx, { type: 'email.change_requested', userId: user.id });
    seeOther(ctx, '/account/email/verify');
  });

  router.get('/account/email/verify', async (ctx) => {
    const account = await requireAccount(ctx, deps, '/account/email/verify');
    if (!account) return;
    const email = await deps.emails.pending(account.user.id);
    // Nothing waiting (already confirmed by the link, or never asked): the account page says where things stand.
    if (!email) return seeOther(ctx, '/account');
    await showCode(ctx, deps, { csrf: account.csrf, email });
  });
  router.post('/account/email/verify', async (ctx) => {
    const posted = await postedForm(ctx, deps, '/account/email/verify');
    if (!posted) return;
    const { user, csrf } = posted;
    const email = (await deps.emails.pending(user.id)) ?? '';
    const form = codeForm.safeParse(posted.fields);
    if (!form.success) return showCode(ctx, deps, { csrf, email, error: t('verify.wrong') }, 400);
    const result = await deps.emails.confirmCode(user.id, form.data.code);
    if (!result.ok) {
      const error = result.reason === 'taken' ? t('link.taken') : t(`verify.${result.reason}` as MessageKey);
      return showCode(ctx, deps, { csrf, email, error }, result.reason === 'taken' ? 409 : 400);
    }
    deps.audit.record(ctx, { type: 'email.changed', userId: user.id, details: { via: 'code' } });
    seeOther(ctx, '/account?done=email');
  });
}
