import type { OutboxRepository } from '../../db/outbox-repository.js';
import type { Logger } from '../../logger.js';
import { errorMessage, pollLoop, retryDelayMs, type JobHandlers, type JobRunner, type RecurringJob, type RetryPolicy } from './jobs.js';

export interface InProcessOptions extends RetryPolicy {
  readonly pollMs: number;
}

/**
 * Without Redis: this process works through the outbox itself. The database is the queue (claims
 * with SKIP LOCKED, attempts and the next try on the row), so a crash loses nothing: a claimed job
 * whose process died is claimed again when its lock runs out.
 */
export function startInProcessRunner(outbox: OutboxRepository, handlers: JobHandlers, recurring: readonly RecurringJob[], options: InProcessOptions, logger: Logger): JobRunner {
  const lockMs = 5 * 60_000;
  let stopped = false;

  async function drain(): Promise<void> {
    for (;;) {
      const jobs = await outbox.claimDue(10, lockMs);
      if (jobs.length === 0) return;
      await Promise.all(jobs.map(async (job) => {
        const handler = handlers[job.name];
        try {
          if (!handler) throw new Error(`no handler for job ${job.name}`);
          await outbox.markSent(job.id, (await handler(job.payload)) ?? {});
        } catch (error) {
          const final = job.attempts >= options.maxAttempts;
          await outbox.markAttemptFailed(job.id, errorMessage(error), retryDelayMs(options, job.attempts), final);
          logger[final ? 'error' : 'warn']({ job: job.name, id: job.id, attempt: job.attempts, err: errorMessage(error) }, final ? 'job failed for good' : 'job failed; will retry');
        }
      }));
      if (stopped) return;
    }
  }

  const loop = pollLoop(drain, options.pollMs, (error) => logger.error({ err: errorMessage(error) }, 'outbox poll failed'));
  const timers = recurring.map((job) => {
    const timer = setInterval(() => {
      job.run().catch((error: unknown) => logger.error({ job: job.name, err: errorMessage(error) }, 'recurring job failed'));
    }, job.everyMs);
    timer.unref();
    return timer;
  });

  return {
    kind: 'in-process',
    kick: loop.kick,
    async stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await loop.stop();
    },
  };
}
