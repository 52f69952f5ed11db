import type { Config } from '../../config/index.js';
import type { OutboxRepository } from '../../db/outbox-repository.js';
import type { Logger } from '../../logger.js';
import { startInProcessRunner } from './in-process-runner.js';
import type { JobHandlers, JobRunner, RecurringJob } from './jobs.js';

/**
 * BullMQ when REDIS_URL is set, this process's own runner otherwise; the same handlers either way.
 * BullMQ and ioredis are loaded only when used (~5 MB of heap the embedded default does not need).
 */
export async function startJobs(config: Config, outbox: OutboxRepository, handlers: JobHandlers, recurring: readonly RecurringJob[], logger: Logger): Promise<JobRunner> {
  const policy = { maxAttempts: config.jobs.maxAttempts, retryBaseMs: config.jobs.retryBaseMs, pollMs: config.jobs.outboxPollMs };
  if (config.redisUrl) {
    const { startBullmqRunner } = await import('./bullmq-runner.js');
    return startBullmqRunner(outbox, handlers, recurring, { ...policy, redisUrl: config.redisUrl, prefix: config.jobs.queuePrefix }, logger);
  }
  return startInProcessRunner(outbox, handlers, recurring, policy, logger);
}
