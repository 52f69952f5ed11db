import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { t, type MessageKey } from '../errors/messages.js';
import type { User } from '../db/users-repository.js';
import { noteSignIn } from './device-notice.js';
import { type Ctx, type Details, type InteractionDeps, finish, formLocals, page } from './interaction-context.js';

const ticketSchema = z.string().regex(/^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/);
const codeSchema = z.object({ code: z.string().trim().regex(/^\d{6}$/) });

/**
 * The account a verification step belongs to, signed together with the interaction: the pages
 * carry it without a server-side session, and it is worthless in any other sign-in.
 */
function ticketBinding(uid: string, user: User): string {
  // The password hash is part of it: a ticket earned with a password dies when the password
  // changes (a reset by the address's real owner locks out whoever registered it first).
  const passwordVersion = createHash('sha256').update(user.passwordHash ?? '').digest('base64url').slice(0, 16);
  return `verify:${uid}:${user.id}:${passwordVersion}`;
}

function ticketFor(deps: InteractionDeps, uid: string, user: User): string {
  return `${user.id}.${deps.csrf.token(ticketBinding(uid, user))}`;
}

async function userFromTicket(ctx: Ctx, deps: InteractionDeps, details: Details, raw: unknown): Promise<User> {
  const parsed = ticketSchema.safeParse(raw);
  const [userId, signature] = parsed.success ? parsed.data.split('.') : [];
  const user = userId ? await deps.users.findById(userId) : null;
  if (!user || user.status !== 'active' || !deps.csrf.verify(ticketBinding(details.uid, user), signature)) throw AppError.csrf();
  return user;
}

/** A password was right but the address is unconfirmed: send a code if none is live, then ask for it. */
export async function requireVerification(ctx: Ctx, deps: InteractionDeps, details: Details, user: User, sendCode: boolean): Promise<void> {
  if (sendCode) await deps.verification.resend(user, ctx.ip);
  ctx.status = 303;
  ctx.redirect(`/interaction/${details.uid}/verify?ticket=${encodeURIComponent(ticketFor(deps, details.uid, user))}`);
}

export async function showVerification(ctx: Ctx, deps: InteractionDeps, details: Details, view: { user?: User; error?: string; notice?: string } = {}, status = 200): Promise<void> {
  const user = view.user ?? (await userFromTicket(ctx, deps, details, ctx.query.ticket));
  await page(ctx, deps.render, 'interaction/verify-email', {
    title: t('verify.title'),
    ...formLocals(deps, details),
    lead: t('verify.lead', { email: user.email }),
    ticket: ticketFor(deps, details.uid, user),
    error: view.error,
    notice: view.notice,
    devMail: deps.devMailUrl,
  }, status);
}

async function signIn(ctx: Ctx, deps: InteractionDeps, details: Details, user: User): Promise<void> {
  deps.audit.record(ctx, { type: 'login.success', userId: user.id, clientId: String(details.params.client_id), details: { method: 'password', emailVerified: true } });
  await noteSignIn(ctx, deps, user);
  await finish(ctx, deps, { login: { accountId: user.id, amr: ['pwd'], remember: true } });
}

export async function submitCode(ctx: Ctx, deps: InteractionDeps, details: Details): Promise<void> {
  const user = await userFromTicket(ctx, deps, details, ctx.state.form?.ticket);
  const form = codeSchema.safeParse(ctx.state.form);
  if (!form.success) return showVerification(ctx, deps, details, { user, error: t('verify.wrong') }, 400);
  const result = await deps.verification.confirmCode(user.id, form.data.code);
  if (!result.ok) return showVerification(ctx, deps, details, { user, error: t(`verify.${result.reason}` as MessageKey) }, 400);
  deps.audit.record(ctx, { type: 'email.verified', userId: user.id, details: { via: 'code' } });
  await signIn(ctx, deps, details, user);
}

export async function submitContinue(ctx: Ctx, deps: InteractionDeps, details: Details): Promise<void> {
  const user = await userFromTicket(ctx, deps, details, ctx.state.form?.ticket);
  if (!user.emailVerified) return showVerification(ctx, deps, details, { user, error: t('verify.not_yet') }, 400);
  await signIn(ctx, deps, details, user);
}

export async function submitResend(ctx: Ctx, deps: InteractionDeps, details: Details): Promise<void> {
  const user = await userFromTicket(ctx, deps, details, ctx.state.form?.ticket);
  const result = await deps.verification.resend(user, ctx.ip);
  if (result === 'sent') return showVerification(ctx, deps, details, { user, notice: t('verify.sent', { email: user.email }) });
  await showVerification(ctx, deps, details, { user, error: t(`verify.${result}`) }, 429);
}
