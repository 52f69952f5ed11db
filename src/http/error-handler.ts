import type { Middleware } from 'koa';
import type { AppState } from './state.js';
import { AppError } from '../errors/app-error.js';
import { t, type MessageKey } from '../errors/messages.js';
import type { Logger } from '../logger.js';
import type { Renderer } from './views.js';

interface HttpLikeError {
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  type?: unknown;
}

function clientStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as HttpLikeError;
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  return status !== undefined && status >= 400 && status < 500 ? status : undefined;
}

function keyFor(status: number): MessageKey {
  if (status === 413) return 'error.too_large';
  if (status === 404) return 'error.not_found';
  if (status === 403) return 'error.csrf';
  return 'error.bad_request';
}

/**
 * Turns any thrown error into a response a client may see: the status and a catalogue text for
 * client errors, a generic 500 (logged with the request id) for everything else. Never a stack.
 */
export function errorHandler(render: Renderer, logger: Logger): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.respond !== false && ctx.status === 404 && ctx.body === undefined) throw AppError.notFound();
    } catch (error) {
      let status: number;
      let code: string;
      let key: MessageKey;
      if (error instanceof AppError) {
        ({ status, code } = error);
        key = error.messageKey;
      } else {
        const known = clientStatus(error);
        status = known ?? 500;
        code = known ? 'invalid_request' : 'server_error';
        key = known ? keyFor(known) : 'error.server';
      }
      if (status >= 500 && !(error instanceof AppError)) {
        (ctx.state.log ?? logger).error({ err: error }, 'request failed');
      }
      ctx.status = status;
      if (status === 503) ctx.set('Retry-After', '5');
      if (ctx.accepts('html', 'json') === 'html') {
        ctx.type = 'html';
        ctx.body = await render('error', { title: t('error.title'), message: t(key), restartUrl: undefined });
      } else {
        ctx.body = { error: code, error_description: t(key) };
      }
    }
  };
}
