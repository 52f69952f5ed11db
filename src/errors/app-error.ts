import type { MessageKey } from './messages.js';

/** An error whose status and text are safe to show the client; anything else becomes a generic 500. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messageKey: MessageKey,
    readonly expose: boolean = true,
  ) {
    super(code);
  }

  static badRequest(code = 'invalid_request'): AppError {
    return new AppError(400, code, 'error.bad_request');
  }

  static csrf(): AppError {
    return new AppError(403, 'csrf_failed', 'error.csrf');
  }

  static notFound(): AppError {
    return new AppError(404, 'not_found', 'error.not_found');
  }
}
