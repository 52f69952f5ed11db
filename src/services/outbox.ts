import type { Database } from '../db/database.js';
import type { OutboxRepository, Tx } from '../db/outbox-repository.js';
import { MAIL_JOB, mailJobSchema, type MailJob } from './mail/mail-job.js';

/**
 * How flows cause email and other jobs: `transaction` runs the state change, `mail`/`add` write
 * the job in that same transaction, and the runner is told once it committed.
 */
export class Outbox {
  private notify: () => void = () => undefined;

  constructor(
    private readonly db: Database,
    private readonly repository: OutboxRepository,
  ) {}

  /** Set by whoever runs the jobs in this process. */
  onCommit(notify: () => void): void {
    this.notify = notify;
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const result = await this.db.prisma.$transaction(fn);
    this.notify();
    return result;
  }

  async mail(tx: Tx, job: MailJob): Promise<string> {
    return this.repository.add(tx, MAIL_JOB, mailJobSchema.parse(job));
  }

  async add(tx: Tx, name: string, payload: Record<string, string>): Promise<string> {
    return this.repository.add(tx, name, payload);
  }
}
