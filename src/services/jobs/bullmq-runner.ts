import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { OutboxRepository } from '../../db/outbox-repository.js';
import type { Logger } from '../../logger.js';
import { errorMessage, pollLoop, relayStaleAfterMs, retryDelayMs, type JobHandlers, type JobRunner, type RecurringJob, type RetryPolicy } from './jobs.js';

const QUEUE = 'authflow';
const OUTBOX_JOB = 'outbox';
const outboxJobData = z.object({ outboxId: z.string().regex(/^\d{1,19}$/) });

export interface BullmqOptions extends RetryPolicy {
  readonly redisUrl: string;
  readonly pollMs: number;
  /** Key prefix in Redis; tests give each server its own. */
  readonly prefix?: string;
}

/**
 * With Redis: a relay moves outbox rows into a BullMQ queue (job id = outbox id, so a row relayed
 * twice is queued once), BullMQ workers run them with exponential backoff, and the outcome goes
 * back to the row. Redis holds nothing that cannot be rebuilt: a row stays pending until a worker
 * finishes it, and one the queue has lost is relayed again.
 */
export function startBullmqRunner(outbox: OutboxRepository, handlers: JobHandlers, recurring: readonly RecurringJob[], options: BullmqOptions, logger: Logger): JobRunner {
  const prefix = options.prefix ?? 'bull';
  // The relay's connection fails fast while Redis is down (rows wait in the outbox); the worker's
  // blocks and reconnects, as BullMQ requires.
  const producer = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const consumer = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  let redisDown = false;
  for (const connection of [producer, consumer]) {
    connection.on('error', (error: unknown) => {
      if (!redisDown) logger.warn({ err: errorMessage(error) }, 'redis unavailable; outbox jobs wait in the database');
      redisDown = true;
    });
    connection.on('ready', () => {
      redisDown = false;
    });
  }
  const queue = new Queue(QUEUE, { connection: producer, prefix });
  queue.on('error', () => undefined);
  const byName = new Map(recurring.map((job) => [job.name, job]));

  async function runOutboxJob(job: Job): Promise<void> {
    const { outboxId } = outboxJobData.parse(job.data);
    // Done already, or being run elsewhere (a duplicate relay): the claim lets one runner send it.
    const row = await outbox.claim(outboxId, 5 * 60_000);
    if (!row) {
      const current = await outbox.get(outboxId);
      // Still pending but held by another worker (or a crashed one, until its claim runs out):
      // try again later rather than drop the job.
      if (current?.status === 'pending') throw new Error('outbox job is held by another worker');
      return;
    }
    const attempt = job.attemptsMade + 1;
    try {
      const handler = handlers[row.name];
      if (!handler) throw new Error(`no handler for job ${row.name}`);
      await outbox.markSent(outboxId, (await handler(row.payload)) ?? {}, attempt);
    } catch (error) {
      const final = attempt >= (job.opts.attempts ?? 1);
      await outbox.markAttemptFailed(outboxId, errorMessage(error), retryDelayMs(options, attempt), final, attempt);
      logger[final ? 'error' : 'warn']({ job: row.name, id: outboxId, attempt, err: errorMessage(error) }, final ? 'job failed for good' : 'job failed; will retry');
      throw error;
    }
  }

  const worker = new Worker(
    QUEUE,
    async (job) => {
      if (job.name === OUTBOX_JOB) return runOutboxJob(job);
      const recurringJob = byName.get(job.name);
      if (!recurringJob) throw new Error(`unknown job ${job.name}`);
      await recurringJob.run();
    },
    { connection: consumer, prefix, concurrency: 4 },
  );
  worker.on('error', () => undefined);

  let scheduled = false;
  async function relay(): Promise<void> {
    if (!scheduled) {
      // Idempotent: every process upserts the same schedulers, and Redis runs each once per period.
      for (const job of recurring) {
        await queue.upsertJobScheduler(job.name, { every: job.everyMs }, { name: job.name, data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } });
      }
      scheduled = true;
    }
    for (;;) {
      const rows = await outbox.unrelayed(100, relayStaleAfterMs(options));
      if (rows.length === 0) return;
      await queue.addBulk(rows.map((row) => ({
        name: OUTBOX_JOB,
        data: { outboxId: row.id },
        opts: {
          jobId: `outbox-${row.id}`,
          attempts: options.maxAttempts,
          backoff: { type: 'exponential', delay: options.retryBaseMs },
          // The outbox row is the record; Redis keeps nothing once a job is settled.
          removeOnComplete: true,
          removeOnFail: true,
        },
      })));
      await outbox.markRelayed(rows.map((row) => row.id));
    }
  }

  const loop = pollLoop(relay, options.pollMs, (error) => {
    if (!redisDown) logger.warn({ err: errorMessage(error) }, 'outbox relay failed; will try again');
  });

  return {
    kind: 'bullmq',
    kick: loop.kick,
    async stop() {
      await loop.stop();
      await worker.close();
      await queue.close();
      producer.disconnect();
      consumer.disconnect();
    },
  };
}
