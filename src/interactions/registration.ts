import { t, type MessageKey } from '../errors/messages.js';
import { type Ctx, type Details, type InteractionDeps, finish, formLocals, page } from './interaction-context.js';
import { registrationForm } from './schemas.js';
import { requireVerification } from './verify-email.js';
import { noteSignIn } from './device-notice.js';

interface RegistrationView {
  email?: string;
  username?: string;
  name?: string;
  error?: string;
  fieldErrors?: Partial<Record<'email' | 'username' | 'name' | 'password', string>>;
}

export async function showRegistration(ctx: Ctx, deps: InteractionDeps, details: Details, view: RegistrationView = {}, status = 200) {
  const locals = formLocals(deps, details);
  await page(ctx, deps.render, 'interaction/register', {
    title: t('register.title'),
    ...locals,
    lead: t('register.lead', { client: locals.client }),
    email: view.email ?? '',
    username: view.username ?? '',
    name: view.name ?? '',
    error: view.error,
    fieldErrors: view.fieldErrors ?? {},
  }, status);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 320) : '';
}

/** Creates the account and signs the person in; the form comes back with their input (never the password) on any problem. */
export async function submitRegistration(ctx: Ctx, deps: InteractionDeps, details: Details): Promise<void> {
  const body = ctx.state.form ?? {};
  const echo = { email: text(body.email), username: text(body.username), name: text(body.name) };
  const form = registrationForm.safeParse(body);
  if (!form.success) {
    const fieldErrors: RegistrationView['fieldErrors'] = {};
    for (const issue of form.error.issues) {
      const field = issue.path[0];
      if (field === 'email' || field === 'username' || field === 'name') fieldErrors[field] = t(`field.${field}.invalid`);
      if (field === 'password') fieldErrors.password = t('field.password.too_long');
    }
    await showRegistration(ctx, deps, details, { ...echo, error: t('register.failed'), fieldErrors }, 400);
    return;
  }
  // The account and its verification email commit together: no account without its email.
  const result = await deps.users.register({ ...form.data, selfRegistered: true }, (tx, user) => deps.verification.send(tx, user));
  if (!result.ok) {
    const view: RegistrationView =
      result.reason === 'password'
        ? { ...echo, error: t('register.failed'), fieldErrors: { password: t(`field.password.${result.problem}` as MessageKey) } }
        : { ...echo, error: t('register.taken') };
    await showRegistration(ctx, deps, details, view, result.reason === 'taken' ? 409 : 400);
    return;
  }
  const clientId = String(details.params.client_id);
  deps.audit.record(ctx, { type: 'user.registered', userId: result.user.id, clientId });
  await noteSignIn(ctx, deps, result.user);
  if (deps.requireEmailVerification) return requireVerification(ctx, deps, details, result.user, false);
  deps.audit.record(ctx, { type: 'login.success', userId: result.user.id, clientId, details: { method: 'registration' } });
  await finish(ctx, deps, { login: { accountId: result.user.id, amr: ['pwd'], remember: true } });
}
