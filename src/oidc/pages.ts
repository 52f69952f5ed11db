import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { t } from '../errors/messages.js';
import type { Renderer } from '../http/views.js';

type Features = NonNullable<Configuration['features']>;
type Logout = NonNullable<Features['rpInitiatedLogout']>;

export interface ProviderPages {
  readonly logoutSource: NonNullable<Logout['logoutSource']>;
  readonly postLogoutSuccessSource: NonNullable<Logout['postLogoutSuccessSource']>;
  readonly renderError: NonNullable<Configuration['renderError']>;
}

/** The pages node-oidc-provider renders itself, drawn with AuthFlow's layout and texts. */
export function providerPages(render: Renderer): ProviderPages {
  return {
    async logoutSource(ctx: KoaContextWithOIDC, form: string) {
      ctx.type = 'html';
      ctx.body = await render('logout', {
        title: t('logout.title'),
        lead: t('logout.lead', { host: ctx.host }),
        form,
        clientName: ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId,
      });
    },
    async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
      ctx.type = 'html';
      ctx.body = await render('logout-done', { title: t('logout.done_title') });
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      const expired = out.error === 'invalid_request' && /interaction|session/i.test(out.error_description ?? '');
      ctx.body = await render('error', {
        title: expired ? t('error.expired_title') : t('error.title'),
        message: expired ? t('error.expired') : (out.error_description ?? t('error.generic')),
        code: out.error,
        restartUrl: undefined,
      });
    },
  };
}
