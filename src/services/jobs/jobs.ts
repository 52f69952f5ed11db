import type { JsonObject } from '../../db/outbox-repository.js';

/**
 * A job handler receives the stored JSON payload and parses it itself (zod). For outbox jobs it
 * may return what the outbox row should keep once the job is done (secrets removed).
 */
export type JobHandler = (payload: unknown) => Promise<JsonObject | void>;
export type JobHandlers = Readonly<Record<string, JobHandler>>;

/** Work that runs on a schedule rather than because of a state change. */
export interface RecurringJob {
  readonly name: string;
  readonly everyMs: number;
  run(): Promise<void>;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
}

/** Exponential backoff: base, 2×base, 4×base... after the 1st, 2nd, 3rd failed attempt. */
export function retryDelayMs(policy: RetryPolicy, attemptsMade: number): number {
  return policy.retryBaseMs * 2 ** Math.max(0, attemptsMade - 1);
}

/** How long a pending job may sit with the queue before the relay assumes the queue lost it. */
export function relayStaleAfterMs(policy: RetryPolicy): number {
  return policy.retryBaseMs * 2 ** policy.maxAttempts + 10 * 60_000;
}

/** Runs outbox and recurring jobs: BullMQ on Redis, or in this process. */
export interface JobRunner {
  readonly kind: 'bullmq' | 'in-process';
  /** A transaction that added outbox jobs committed: look now rather than at the next poll. */
  kick(): void;
  stop(): Promise<void>;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Runs `work` whenever asked and every `everyMs`, never twice at once: asking while it runs makes
 * it run once more afterwards, so a commit during a poll is not missed.
 */
export function pollLoop(work: () => Promise<void>, everyMs: number, onError: (error: unknown) => void): { kick(): void; stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = work()
      .catch(onError)
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          kick();
        }
      });
  }
  const timer = setInterval(kick, everyMs);
  timer.unref();
  kick();
  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
