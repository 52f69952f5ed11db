import type { Logger } from '../logger.js';

/** What middleware puts on ctx.state for the handlers after it. */
export interface AppState {
  requestId: string;
  log: Logger;
  /** Fields of a hosted form POST, read by readForm. */
  form?: Record<string, string>;
}
