import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { AppState } from './state.js';
import type { Logger } from '../logger.js';

const INCOMING_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Gives every request an id (kept from X-Request-Id when well-formed) and a child logger carrying it. */
export function requestContext(logger: Logger): Middleware<AppState> {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const id = INCOMING_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    // Built on first use: most requests never log, and a child logger per request is measurable.
    let log: Logger | undefined;
    Object.defineProperty(ctx.state, 'log', { get: () => (log ??= logger.child({ requestId: id })), configurable: true, enumerable: true });
    ctx.set('X-Request-Id', id);
    if (!logger.isLevelEnabled('debug')) return next();
    const started = performance.now();
    try {
      await next();
    } finally {
      // The path only: query strings carry codes and tokens.
      ctx.state.log.debug({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) }, 'request');
    }
  };
}
