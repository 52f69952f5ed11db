import Router from '@koa/router';
import * as client from 'openid-client';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import type { Csrf } from '../http/csrf.js';
import { readForm } from '../http/form-body.js';
import type { AppState } from '../http/state.js';
import type { Renderer } from '../http/views.js';
import type { OwnClient } from '../http/own-client.js';
import type { DemoSessions, DemoTokens } from './demo-sessions.js';

const COOKIE = 'authflow_demo';
const PENDING_COOKIE = 'authflow_demo_login';

const pendingSchema = z.object({ verifier: z.string().min(43).max(128), state: z.string().min(1).max(128), nonce: z.string().min(1).max(128) });
const SCOPE = 'openid profile email roles offline_access';

export interface DemoDeps {
  readonly demo: OwnClient;
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

  // Nothing is stored before the callback: the PKCE verifier, state and nonce travel in a signed,
  // HttpOnly cookie, so unauthenticated visitors cannot fill (or flush) the demo's session store.
  router.get('/login', async (ctx) => {
    const config = await deps.demo.config();
    const pending = { verifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce() };
    ctx.cookies.set(PENDING_COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'), { ...cookieOptions, signed: true, maxAge: 10 * 60 * 1000 });
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
    const raw = ctx.cookies.get(PENDING_COOKIE, { signed: true });
    ctx.cookies.set(PENDING_COOKIE, '', { ...cookieOptions, maxAge: 0 });
    let pending: z.infer<typeof pendingSchema> | undefined;
    try {
      pending = raw ? pendingSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))) : undefined;
    } catch {
      pending = undefined;
    }
    if (!pending) throw AppError.badRequest('no_pending_login');
    const url = new URL(ctx.originalUrl, deps.demo.redirectUri);
    if (url.searchParams.has('error')) {
      ctx.redirect('/demo');
      return;
    }
    const config = await deps.demo.config();
    const checks = { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce };
    // A tampered, replayed or stale callback is the visitor's problem (400), not a server fault.
    const response = await client.authorizationCodeGrant(config, url, checks).catch(() => {
      throw AppError.badRequest('login_failed');
    });
    deps.sessions.delete(sessionId(ctx));
    const { id, session } = deps.sessions.create();
    session.tokens = await toTokens(config, response);
    ctx.cookies.set(COOKIE, id, cookieOptions);
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
