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
    ctx.state.log = logger.child({ requestId: id });
    ctx.set('X-Request-Id', id);
    const started = performance.now();
    try {
      await next();
    } finally {
      // The path only: query strings carry codes and tokens.
      ctx.state.log.debug({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) }, 'request');
    }
  };
}
