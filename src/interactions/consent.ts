import { t, type MessageKey } from '../errors/messages.js';
import { type Ctx, type Details, type InteractionDeps, finish, formLocals, page } from './interaction-context.js';
import { consentForm } from './schemas.js';

interface PromptDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

function promptDetails(details: Details): PromptDetails {
  return details.prompt.details as PromptDetails;
}

const KNOWN_SCOPES = new Set(['openid', 'profile', 'email', 'roles', 'offline_access']);

function describeScope(scope: string): string {
  return KNOWN_SCOPES.has(scope) ? t(`consent.scope.${scope}` as MessageKey) : t('consent.scope.other', { scope });
}

export async function showConsent(ctx: Ctx, deps: InteractionDeps, details: Details): Promise<void> {
  const missing = promptDetails(details);
  const locals = formLocals(deps, details);
  await page(ctx, deps.render, 'interaction/consent', {
    title: t('consent.title'),
    ...locals,
    lead: t('consent.lead', { client: locals.client }),
    scopes: (missing.missingOIDCScope ?? []).map(describeScope),
    resources: Object.entries(missing.missingResourceScopes ?? {}).map(([resource, scopes]) => ({
      heading: t('consent.resource', { resource }),
      scopes: scopes.map(describeScope),
    })),
  });
}

/** Records what the person allowed in a Grant; a denial ends the request with access_denied. */
export async function submitConsent(ctx: Ctx, deps: InteractionDeps, details: Details): Promise<void> {
  const form = consentForm.safeParse(ctx.state.form);
  if (!form.success || details.prompt.name !== 'consent' || !details.session?.accountId) {
    await showConsent(ctx, deps, details);
    ctx.status = 400;
    return;
  }
  const clientId = String(details.params.client_id);
  if (form.data.decision === 'deny') {
    deps.audit.record(ctx, { type: 'consent.denied', userId: details.session.accountId, clientId });
    await finish(ctx, deps, { error: 'access_denied', error_description: 'End-User denied the request' });
    return;
  }
  const { Grant } = deps.provider;
  const grant = (details.grantId ? await Grant.find(details.grantId) : undefined) ?? new Grant({ accountId: details.session.accountId, clientId });
  const missing = promptDetails(details);
  if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  const grantId = await grant.save();
  deps.audit.record(ctx, { type: 'consent.granted', userId: details.session.accountId, clientId });
  await finish(ctx, deps, { consent: { grantId } });
}
