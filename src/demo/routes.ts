import Router from '@koa/router';
import * as client from 'openid-client';
import { AppError } from '../errors/app-error.js';
import type { Csrf } from '../http/csrf.js';
import { readForm } from '../http/form-body.js';
import type { AppState } from '../http/state.js';
import type { Renderer } from '../http/views.js';
import type { DemoClient } from './demo-client.js';
import type { DemoSessions, DemoTokens } from './demo-sessions.js';

const COOKIE = 'authflow_demo';
const SCOPE = 'openid profile email roles offline_access';

export interface DemoDeps {
  readonly demo: DemoClient;
  readonly sessions: DemoSessions;
  readonly render: Renderer;
  readonly csrf: Csrf;
  readonly secureCookies: boolean;
}

type Ctx = Parameters<Parameters<Router<AppState>['get']>[1]>[0];

async function toTokens(config: client.Configuration, response: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, previous?: DemoTokens): Promise<DemoTokens> {
  const claims = response.claims() ?? previous?.claims ?? {};
  const sub = typeof claims.sub === 'string' ? claims.sub : '';
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? previous?.refreshToken,
    idToken: response.id_token ?? previous?.idToken,
    expiresAt: Date.now() + (response.expiresIn() ?? 0) * 1000,
    claims: { ...claims },
    userinfo: { ...(await client.fetchUserInfo(config, response.access_token, sub)) },
    refreshedAt: previous ? Date.now() : undefined,
  };
}

/** A small relying party served by AuthFlow itself, so a newcomer can watch a real sign-in. */
export function demoRoutes(deps: DemoDeps): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/demo' });
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: deps.secureCookies, path: '/demo', signed: false, overwrite: true };
  const sessionId = (ctx: Ctx) => ctx.cookies.get(COOKIE, { signed: false });
  const postForm = async (ctx: Ctx) => {
    const id = sessionId(ctx);
    const form = await readForm(ctx.req);
    if (!id || !deps.csrf.verify(`demo:${id}`, form._csrf)) throw AppError.csrf();
    return { id, session: deps.sessions.get(id) };
  };

  router.get('/', async (ctx) => {
    const id = sessionId(ctx);
    const tokens = deps.sessions.get(id)?.tokens;
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'html';
    ctx.body = await deps.render('demo/index', {
      title: 'Demo app',
      tokens,
      csrf: id ? deps.csrf.token(`demo:${id}`) : '',
      expiresIn: tokens ? Math.max(0, Math.round((tokens.expiresAt - Date.now()) / 1000)) : 0,
      json: (value: unknown) => JSON.stringify(value, null, 2),
    });
  });

  router.get('/login', async (ctx) => {
    const config = await deps.demo.config();
    const { id, session } = deps.sessions.create();
    const pending = { verifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce() };
    session.pending = pending;
    ctx.cookies.set(COOKIE, id, cookieOptions);
    ctx.redirect(client.buildAuthorizationUrl(config, {
      redirect_uri: deps.demo.redirectUri,
      scope: SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    }).href);
  });

  router.get('/callback', async (ctx) => {
    const session = deps.sessions.get(sessionId(ctx));
    const pending = session?.pending;
    if (!session || !pending) throw AppError.badRequest('no_pending_login');
    session.pending = undefined;
    const config = await deps.demo.config();
    const url = new URL(ctx.originalUrl, deps.demo.redirectUri);
    if (url.searchParams.has('error')) {
      ctx.redirect('/demo');
      return;
    }
    const response = await client.authorizationCodeGrant(config, url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
    session.tokens = await toTokens(config, response);
    ctx.redirect('/demo');
  });

  router.post('/refresh', async (ctx) => {
    const { session } = await postForm(ctx);
    const current = session?.tokens;
    if (!session || !current?.refreshToken) throw AppError.badRequest('not_signed_in');
    const config = await deps.demo.config();
    try {
      session.tokens = await toTokens(config, await client.refreshTokenGrant(config, current.refreshToken), current);
    } catch (error) {
      // Revoked or expired (signed out elsewhere, user disabled): the app's session ends with it.
      if (!(error instanceof client.ResponseBodyError)) throw error;
      session.tokens = undefined;
    }
    ctx.status = 303;
    ctx.redirect('/demo');
  });

  router.post('/logout', async (ctx) => {
    const { id, session } = await postForm(ctx);
    const idToken = session?.tokens?.idToken;
    deps.sessions.delete(id);
    ctx.cookies.set(COOKIE, '', { ...cookieOptions, maxAge: 0 });
    const config = await deps.demo.config();
    ctx.status = 303;
    ctx.redirect(client.buildEndSessionUrl(config, {
      post_logout_redirect_uri: deps.demo.postLogoutRedirectUri,
      ...(idToken ? { id_token_hint: idToken } : {}),
    }).href);
  });

  return router;
}
