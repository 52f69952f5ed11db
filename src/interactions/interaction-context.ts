import type { RouterContext } from '@koa/router';
import { errors, type InteractionResults } from 'oidc-provider';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { t } from '../errors/messages.js';
import type { Csrf } from '../http/csrf.js';
import type { AppState } from '../http/state.js';
import { sendPage, type Renderer } from '../http/views.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { UsersService } from '../users/users-service.js';
import type { RegisteredClients } from '../oidc/clients-file.js';
import type { EmailVerification } from '../self-service/email-verification.js';
import type { Outbox } from '../services/outbox.js';
import type { KnownDevicesRepository } from '../db/known-devices-repository.js';

export type Ctx = RouterContext<AppState>;
export type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface InteractionDeps {
  readonly provider: Provider;
  readonly render: Renderer;
  readonly csrf: Csrf;
  readonly users: UsersService;
  readonly audit: AuditLog;
  readonly registered: RegisteredClients;
  readonly verification: EmailVerification;
  /** Unverified accounts must confirm their address before a sign-in completes. */
  readonly requireEmailVerification: boolean;
  /** The development mail outbox, shown on the verification page; absent with real SMTP. */
  readonly devMailUrl: string | undefined;
  readonly outbox: Outbox;
  readonly devices: KnownDevicesRepository;
  readonly issuer: string;
  readonly secureCookies: boolean;
}

const restartSchema = z.string().max(4096).regex(/^\/auth\?[^\s]*$/);

/** The authorization request that started this interaction, so an expired one can be started again. */
export function restartUrl(details: Details): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(details.params)) {
    if (typeof value === 'string') query.set(key, value);
  }
  return `/auth?${query.toString()}`;
}

export const page = sendPage;

/**
 * Loads the interaction the browser's cookie is bound to. A missing, expired or mismatched one is
 * not an error on the server's side: the person sees a page that lets them start again.
 */
export async function loadInteraction(ctx: Ctx, deps: InteractionDeps): Promise<Details | undefined> {
  let details: Details;
  try {
    details = await deps.provider.interactionDetails(ctx.req, ctx.res);
  } catch (error) {
    if (error instanceof errors.SessionNotFound || error instanceof errors.InvalidRequest) {
      await showExpired(ctx, deps);
      return undefined;
    }
    throw error;
  }
  if (details.uid !== ctx.params.uid) {
    await showExpired(ctx, deps);
    return undefined;
  }
  return details;
}

async function showExpired(ctx: Ctx, deps: InteractionDeps): Promise<void> {
  const restart = restartSchema.safeParse(ctx.state.form?.restart);
  await page(ctx, deps.render, 'error', {
    title: t('error.expired_title'),
    message: t('error.expired'),
    restartUrl: restart.success ? restart.data : undefined,
  }, 410);
}

/** Rejects a POST whose CSRF token was not issued for this interaction; nothing is changed. */
export function requireCsrf(ctx: Ctx, deps: InteractionDeps, uid: string): void {
  if (!deps.csrf.verify(`interaction:${uid}`, ctx.state.form?._csrf)) throw AppError.csrf();
}

export function clientName(details: Details, deps: InteractionDeps): string {
  const id = String(details.params.client_id ?? '');
  const client = deps.registered.clients.find((c) => c.client_id === id);
  return typeof client?.client_name === 'string' ? client.client_name : id;
}

/** Finishes the interaction with a 303, so the browser never re-POSTs credentials to the next hop. */
export async function finish(ctx: Ctx, deps: InteractionDeps, result: InteractionResults): Promise<void> {
  const target = await deps.provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(target);
}

export function formLocals(deps: InteractionDeps, details: Details) {
  return {
    uid: details.uid,
    csrf: deps.csrf.token(`interaction:${details.uid}`),
    restart: restartUrl(details),
    client: clientName(details, deps),
  };
}
