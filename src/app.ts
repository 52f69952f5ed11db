import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { Config } from './config/index.js';
import { t } from './errors/messages.js';
import { errorHandler } from './http/error-handler.js';
import { healthRoutes } from './http/health.js';
import { requestContext } from './http/request-context.js';
import { securityHeaders } from './http/security-headers.js';
import { API_PATHS } from './oidc/routes.js';
import type { AppState } from './http/state.js';
import { staticFiles } from './http/static-files.js';
import { VIEWS_DIR, type Renderer } from './http/views.js';
import { accountRoutes, type AccountDeps } from './account/routes.js';
import { demoRoutes, type DemoDeps } from './demo/routes.js';
import type { InteractionDeps } from './interactions/interaction-context.js';
import { interactionRoutes } from './interactions/routes.js';
import { selfServiceRoutes, type SelfServiceDeps } from './self-service/routes.js';
import { devMailRoutes } from './services/mail/dev-mail-routes.js';
import type { Logger } from './logger.js';

export interface AppDeps {
  readonly config: Config;
  readonly provider: Provider;
  readonly render: Renderer;
  readonly logger: Logger;
  readonly interactions: InteractionDeps;
  readonly ping: () => Promise<boolean>;
  /** The demo relying party; absent when disabled. */
  readonly demo?: DemoDeps | undefined;
  readonly selfService: SelfServiceDeps;
  readonly account: AccountDeps;
  /** The development mail outbox's directory; absent in production or with SMTP. */
  readonly devMailDir?: string | undefined;
}

function homeRoutes(render: Renderer, config: Config): Router<AppState> {
  const router = new Router<AppState>();
  const readme = readFileSync(path.join(VIEWS_DIR, '..', 'README.md'));
  router.get('/', async (ctx) => {
    ctx.type = 'html';
    ctx.body = await render('home', { title: t('app.name'), discovery: `${config.issuer}/.well-known/openid-configuration`, demo: config.demoEnabled });
  });
  router.get('/docs', (ctx) => {
    ctx.type = 'text/markdown; charset=utf-8';
    ctx.body = readme;
  });
  return router;
}

const OWN_PREFIXES = ['/interaction/', '/static/', '/dev/mail', '/account/'];
const OWN_PATHS = new Set(['/', '/docs', '/healthz', '/readyz', '/verify-email', '/forgot-password', '/reset-password', '/account']);

function isOwnPath(path: string, demo: boolean): boolean {
  if (OWN_PATHS.has(path) || OWN_PREFIXES.some((prefix) => path.startsWith(prefix))) return true;
  return demo && (path === '/demo' || path.startsWith('/demo/'));
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * AuthFlow's pages (sign-in, account, demo, health, static files) and node-oidc-provider side by
 * side: the provider owns every other path, the protocol endpoints (/auth, /token,
 * /.well-known/..., /session/end, ...); pages get the document security headers, JSON endpoints
 * the API ones. Protocol requests go straight from the HTTP server to the provider, with no Koa
 * context of ours in between: they are the hot path, and the provider answers its own errors in
 * the protocol's format.
 */
export function createRequestHandler(deps: AppDeps): RequestHandler {
  const pages = createApp(deps).callback();
  const provider = deps.provider.callback();
  const headers = securityHeaders({ hsts: deps.config.secureCookies });
  const demo = deps.demo !== undefined;
  return (req, res) => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const api = API_PATHS.has(path);
    (api ? headers.api : headers.page)(res);
    if (!api && isOwnPath(path, demo)) void pages(req, res);
    else void provider(req, res);
  };
}

/** The Koa app of AuthFlow's own pages. */
export function createApp(deps: AppDeps): Koa<AppState> {
  const app = new Koa<AppState>();
  app.proxy = deps.config.trustProxy;
  app.maxIpsCount = deps.config.trustProxyHops;
  app.keys = [...deps.config.cookieKeys];
  app.silent = true;
  app.use(requestContext(deps.logger));
  app.use(errorHandler(deps.render, deps.logger));
  for (const router of [
    healthRoutes(deps.ping),
    staticFiles(['style.css']),
    homeRoutes(deps.render, deps.config),
    interactionRoutes(deps.interactions),
    selfServiceRoutes(deps.selfService),
    accountRoutes(deps.account),
    ...(deps.devMailDir ? [devMailRoutes(deps.devMailDir, deps.config.issuer, deps.render)] : []),
    ...(deps.demo ? [demoRoutes(deps.demo)] : []),
  ]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
