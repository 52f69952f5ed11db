import Router, { type RouterContext } from '@koa/router';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit-log.js';
import { AppError } from '../errors/app-error.js';
import { t, type MessageKey } from '../errors/messages.js';
import type { Csrf } from '../http/csrf.js';
import { readForm } from '../http/form-body.js';
import type { AppState } from '../http/state.js';
import { sendPage, type Renderer } from '../http/views.js';
import type { WindowLimiter } from '../services/rate-limit.js';
import type { EmailLinks } from './email-links.js';
import { hashLink } from './one-time-tokens.js';
import type { PasswordRecovery } from './password-recovery.js';

type Ctx = RouterContext<AppState>;

export interface SelfServiceDeps {
  readonly render: Renderer;
  readonly csrf: Csrf;
  readonly links: EmailLinks;
  readonly recovery: PasswordRecovery;
  readonly audit: AuditLog;
  /** Per client address, for "forgot password" requests. */
  readonly perIp: WindowLimiter;
}

const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
/** Where "back to sign in" goes: only an authorization request on this server, never elsewhere. */
const returnSchema = z.string().max(4096).regex(/^\/auth\?[^\s]*$/);
const forgotSchema = z.object({ email: z.email().max(320) });
const resetSchema = z.object({ token: tokenSchema, password: z.string().max(1024) });

// The token is in these pages' URLs; the Referrer-Policy: no-referrer sent with every response keeps it there.
const page = sendPage;

const message = (ctx: Ctx, deps: SelfServiceDeps, title: MessageKey, text: string, status = 200, back?: string) =>
  page(ctx, deps.render, 'self-service/message', { title: t(title), message: text, back }, status);

const invalidLink = (ctx: Ctx, deps: SelfServiceDeps) => message(ctx, deps, 'link.invalid_title', t('link.invalid'), 410);

async function form(ctx: Ctx, deps: SelfServiceDeps, binding: (fields: Record<string, string>) => string): Promise<Record<string, string>> {
  if (!ctx.is('application/x-www-form-urlencoded')) throw new AppError(415, 'unsupported_media_type', 'error.bad_request');
  const fields = await readForm(ctx.req);
  if (!deps.csrf.verify(binding(fields), fields._csrf)) throw AppError.csrf();
  return fields;
}

const linkBinding = (token: unknown) => `link:${typeof token === 'string' ? hashLink(token) : ''}`;

/** Pages reached from an emailed link or from "forgot password": no sign-in session involved. */
export function selfServiceRoutes(deps: SelfServiceDeps): Router<AppState> {
  const router = new Router<AppState>();

  // Opening the link only shows a button: mail scanners that follow links must not confirm.
  router.get('/verify-email', async (ctx) => {
    const token = tokenSchema.safeParse(ctx.query.token);
    const record = token.success ? await deps.links.peek(token.data) : undefined;
    if (!token.success || !record) return invalidLink(ctx, deps);
    await page(ctx, deps.render, 'self-service/confirm-email', {
      title: t('confirm.title'),
      lead: t(record.purpose === 'change_email' ? 'confirm.change_lead' : 'confirm.lead', { email: record.email }),
      token: token.data,
      csrf: deps.csrf.token(linkBinding(token.data)),
    });
  });
  router.post('/verify-email', async (ctx) => {
    const fields = await form(ctx, deps, (f) => linkBinding(f.token));
    const token = tokenSchema.safeParse(fields.token);
    const result = token.success ? await deps.links.confirm(token.data) : ({ ok: false, reason: 'invalid' } as const);
    if (!result.ok) return result.reason === 'taken' ? message(ctx, deps, 'link.invalid_title', t('link.taken'), 409) : invalidLink(ctx, deps);
    deps.audit.record(ctx, { type: result.purpose === 'verify_email' ? 'email.verified' : 'email.changed', userId: result.userId, details: { via: 'link' } });
    const text = result.purpose === 'verify_email' ? t('confirm.done', { email: result.email }) : t('confirm.changed', { email: result.email });
    await message(ctx, deps, 'confirm.done_title', text);
  });

  router.get('/forgot-password', async (ctx) => {
    const back = returnSchema.safeParse(ctx.query.return);
    await page(ctx, deps.render, 'self-service/forgot-password', {
      title: t('forgot.title'), csrf: deps.csrf.token('forgot-password'), email: '', back: back.success ? back.data : '', error: undefined,
    });
  });
  router.post('/forgot-password', async (ctx) => {
    const fields = await form(ctx, deps, () => 'forgot-password');
    const back = returnSchema.safeParse(fields.return);
    const parsed = forgotSchema.safeParse(fields);
    if (!parsed.success) {
      return page(ctx, deps.render, 'self-service/forgot-password', {
        title: t('forgot.title'), csrf: deps.csrf.token('forgot-password'), email: (fields.email ?? '').slice(0, 320),
        back: back.success ? back.data : '', error: t('field.email.invalid'),
      }, 400);
    }
    // The same answer, after the same work, whether or not the account exists or the address is throttled.
    if (deps.perIp.take(`forgot:${ctx.ip}`)) await deps.recovery.request(parsed.data.email);
    await message(ctx, deps, 'forgot.sent_title', t('forgot.sent', { email: parsed.data.email }), 200, back.success ? back.data : undefined);
  });

  router.get('/reset-password', async (ctx) => {
    const token = tokenSchema.safeParse(ctx.query.token);
    if (!token.success || !(await deps.recovery.isValid(token.data))) return invalidLink(ctx, deps);
    await page(ctx, deps.render, 'self-service/reset-password', {
      title: t('reset.title'), token: token.data, csrf: deps.csrf.token(linkBinding(token.data)), error: undefined, fieldError: undefined,
    });
  });
  router.post('/reset-password', async (ctx) => {
    const fields = await form(ctx, deps, (f) => linkBinding(f.token));
    const parsed = resetSchema.safeParse(fields);
    if (!parsed.success) return invalidLink(ctx, deps);
    const result = await deps.recovery.reset(parsed.data.token, parsed.data.password);
    if (!result.ok && result.reason === 'password') {
      return page(ctx, deps.render, 'self-service/reset-password', {
        title: t('reset.title'), token: parsed.data.token, csrf: deps.csrf.token(linkBinding(parsed.data.token)),
        error: t('reset.failed'), fieldError: t(`field.password.${result.problem}` as MessageKey),
      }, 400);
    }
    if (!result.ok) return invalidLink(ctx, deps);
    deps.audit.record(ctx, { type: 'password.reset', userId: result.userId });
    await message(ctx, deps, 'reset.done_title', t('reset.done'));
  });
  return router;
}
