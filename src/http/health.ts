import Router from '@koa/router';
import type { AppState } from './state.js';

/** Liveness says the process answers; readiness says it can reach the database. */
export function healthRoutes(ping: () => Promise<boolean>): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const database = await ping();
    ctx.status = database ? 200 : 503;
    ctx.body = { status: database ? 'ready' : 'unavailable', checks: { database: database ? 'ok' : 'failed' } };
  });
  return router;
}
