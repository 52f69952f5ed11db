import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { SqlDriver } from './sql.js';

/** A Prisma client or the transaction a state change runs in; an outbox row joins that transaction. */
export type Tx = Prisma.TransactionClient | PrismaClient;
export type JsonObject = Prisma.InputJsonObject;

export interface OutboxJob {
  readonly id: string;
  readonly name: string;
  readonly payload: unknown;
  readonly status: 'pending' | 'sent' | 'failed';
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: Date;
}

interface Row {
  id: string;
  name: string;
  payload: unknown;
  status: OutboxJob['status'];
  attempts: number;
  last_error: string | null;
  created_at: Date;
}

const COLUMNS = 'id::text AS id, name, payload, status, attempts, last_error, created_at';
const fromRow = (r: Row): OutboxJob => ({ id: r.id, name: r.name, payload: r.payload, status: r.status, attempts: r.attempts, lastError: r.last_error, createdAt: r.created_at });

/**
 * The transactional outbox: a job is written with the state change that causes it and stays here,
 * with its outcome, whatever happens to the queue. Claims use SKIP LOCKED, so any number of
 * processes can work through it without running a job twice at once.
 */
export class OutboxRepository {
  constructor(private readonly sql: SqlDriver) {}

  /** Adds a job inside the caller's transaction. */
  async add(tx: Tx, name: string, payload: JsonObject): Promise<string> {
    const row = await tx.outboxJob.create({ data: { name, payload }, select: { id: true } });
    return row.id.toString();
  }

  async get(id: string): Promise<OutboxJob | undefined> {
    const rows = await this.sql.query<Row>(`SELECT ${COLUMNS} FROM outbox WHERE id = $1::bigint`, [id]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /** Claims due jobs for this process for `lockMs` (in-process runner); each claim counts as an attempt. */
  async claimDue(limit: number, lockMs: number): Promise<OutboxJob[]> {
    const rows = await this.sql.query<Row>(
      `UPDATE outbox SET locked_until = now() + ($2::int * interval '1 millisecond'), attempts = attempts + 1
       WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= now()
                    AND (locked_until IS NULL OR locked_until <= now()) ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS}`,
      [limit, lockMs],
    );
    return rows.map(fromRow);
  }

  /** Claims one job by id (a queue delivered it); undefined when it is done, or another process holds it. */
  async claim(id: string, lockMs: number): Promise<OutboxJob | undefined> {
    const rows = await this.sql.query<Row>(
      `UPDATE outbox SET locked_until = now() + ($2::int * interval '1 millisecond')
       WHERE id = $1::bigint AND status = 'pending' AND (locked_until IS NULL OR locked_until <= now())
       RETURNING ${COLUMNS}`,
      [id, lockMs],
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /**
   * Pending jobs not yet handed to the queue, or handed over so long ago that the queue must have
   * lost them (a Redis flush): the relay (re)sends these.
   */
  async unrelayed(limit: number, staleAfterMs: number): Promise<OutboxJob[]> {
    const rows = await this.sql.query<Row>(
      `SELECT ${COLUMNS} FROM outbox WHERE status = 'pending'
         AND (relayed_at IS NULL OR relayed_at < now() - ($2::int * interval '1 millisecond'))
       ORDER BY id LIMIT $1`,
      [limit, staleAfterMs],
    );
    return rows.map(fromRow);
  }

  async markRelayed(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.sql.query('UPDATE outbox SET relayed_at = now() WHERE id = ANY($1::bigint[])', [ids]);
  }

  /** Done: the payload is replaced by `keep` so one-time links and codes do not outlive the send. */
  async markSent(id: string, keep: JsonObject, attempts?: number): Promise<void> {
    await this.sql.query(
      `UPDATE outbox SET status = 'sent', finished_at = now(), locked_until = NULL, last_error = NULL, payload = $2::jsonb,
         attempts = COALESCE($3::int, attempts)
       WHERE id = $1::bigint`,
      [id, JSON.stringify(keep), attempts ?? null],
    );
  }

  /** An attempt failed; tries again after `delayMs`, or gives up (status failed) when `final`. */
  async markAttemptFailed(id: string, error: string, delayMs: number, final: boolean, attempts?: number): Promise<void> {
    await this.sql.query(
      `UPDATE outbox SET last_error = $2, locked_until = NULL, attempts = COALESCE($5::int, attempts),
         next_attempt_at = now() + ($3::int * interval '1 millisecond'),
         status = CASE WHEN $4::boolean THEN 'failed'::"OutboxStatus" ELSE status END,
         finished_at = CASE WHEN $4::boolean THEN now() ELSE finished_at END
       WHERE id = $1::bigint AND status = 'pending'`,
      [id, error.slice(0, 1000), Math.round(delayMs), final, attempts ?? null],
    );
  }

  async listFailed(limit = 100): Promise<OutboxJob[]> {
    const rows = await this.sql.query<Row>(`SELECT ${COLUMNS} FROM outbox WHERE status = 'failed' ORDER BY id DESC LIMIT $1`, [limit]);
    return rows.map(fromRow);
  }

  /** Puts a failed job back in line with a fresh set of attempts; false when there is no such failed job. */
  async retry(id: string): Promise<boolean> {
    const rows = await this.sql.query(
      `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = NULL,
         relayed_at = NULL, finished_at = NULL
       WHERE id = $1::bigint AND status = 'failed' RETURNING 1 AS done`,
      [id],
    );
    return rows.length === 1;
  }
}
