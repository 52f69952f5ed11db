import type { SqlDriver } from './sql.js';

/**
 * Group commit for one kind of statement: callers submit items one at a time, and whatever queues
 * up while `maxInFlight` batches are already running goes to the database together as the next
 * batch. A batch is sent after the event loop's I/O phase: the requests whose bytes (HTTP, or
 * database replies) arrived in the same turn reach their statement first and join it. An idle
 * store adds one loop turn of latency; a busy one pays the fixed cost of a statement (a round
 * trip and a parse on PostgreSQL, ~0.25 ms of CPU on PGlite) once per batch instead of once per
 * item. Sending at the end of the current tick instead batched almost nothing on PostgreSQL:
 * refresh measured ~410 vs ~800 per second, 1.5 vs 1.0 ms of CPU each (`bench/`, 16 connections).
 * PGlite runs queries on this thread, so there nothing would ever queue otherwise.
 */
export class Batcher<I, O> {
  private queue: Array<{ item: I; resolve: (value: O) => void; reject: (error: unknown) => void }> = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    /** Runs one batch; returns one result per item, in order. */
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxInFlight: number,
    private readonly maxBatch = 64,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight++;
    try {
      const results = await this.run(batch.map((entry) => entry.item));
      batch.forEach((entry, i) => entry.resolve(results[i] as O));
    } catch (error) {
      if (batch.length === 1) batch[0]?.reject(error);
      // One bad item must not fail the others: each runs again on its own.
      else for (const entry of batch) this.run([entry.item]).then((r) => entry.resolve(r[0] as O), entry.reject);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }
}

/** A batcher sized for a driver: half its connections, so reads, writes and everything else all find one free. */
export function batcherFor<I, O>(sql: SqlDriver, run: (items: I[]) => Promise<O[]>): Batcher<I, O> {
  return new Batcher(run, Math.max(1, Math.floor(sql.parallelism / 2)));
}
