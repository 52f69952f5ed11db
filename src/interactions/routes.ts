import Router from '@koa/router';
import { AppError } from '../errors/app-error.js';
import { readForm } from '../http/form-body.js';
import type { AppState } from '../http/state.js';
import { submitConsent, showConsent } from './consent.js';
import { type Ctx, type InteractionDeps, finish, loadInteraction, requireCsrf } from './interaction-context.js';
import { showLogin, submitLogin } from './login.js';
import { showRegistration, submitRegistration } from './registration.js';
import { showVerification, submitCode, submitContinue, submitResend } from './verify-email.js';

type Handler = (ctx: Ctx, deps: InteractionDeps, details: NonNullable<Awaited<ReturnType<typeof loadInteraction>>>) => Promise<void>;

const UID = /^[A-Za-z0-9_-]{10,64}$/;

/** Hosted sign-in pages under /interaction/:uid. */
export function interactionRoutes(deps: InteractionDeps): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/interaction/:uid' });

  const get = (handler: Handler) => async (ctx: Ctx) => {
    if (!UID.test(ctx.params.uid ?? '')) throw AppError.notFound();
    const details = await loadInteraction(ctx, deps);
    if (details) await handler(ctx, deps, details);
  };
  const post = (handler: Handler) => async (ctx: Ctx) => {
    if (!UID.test(ctx.params.uid ?? '')) throw AppError.notFound();
    if (!ctx.is('application/x-www-form-urlencoded')) throw new AppError(415, 'unsupported_media_type', 'error.bad_request');
    ctx.state.form = await readForm(ctx.req);
    const details = await loadInteraction(ctx, deps);
    if (!details) return;
    requireCsrf(ctx, deps, details.uid);
    await handler(ctx, deps, details);
  };

  router.get('/', get(async (ctx, d, details) => {
    if (details.prompt.name === 'consent') return showConsent(ctx, d, details);
    return showLogin(ctx, d, details);
  }));
  router.get('/register', get((ctx, d, details) => showRegistration(ctx, d, details)));
  router.get('/verify', get((ctx, d, details) => showVerification(ctx, d, details)));
  router.post('/verify', post(submitCode));
  router.post('/verify/continue', post(submitContinue));
  router.post('/verify/resend', post(submitResend));
  router.post('/login', post(submitLogin));
  router.post('/register', post(submitRegistration));
  router.post('/consent', post(submitConsent));
  router.post('/abort', post((ctx, d) =>
    finish(ctx, d, { error: 'access_denied', error_description: 'End-User aborted interaction' }),
  ));
  return router;
}
