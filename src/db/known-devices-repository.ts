import type { Tx } from './outbox-repository.js';
import type { SqlDriver } from './sql.js';

/** Browsers each user has signed in from, by a hash of a long-lived device cookie. */
export class KnownDevicesRepository {
  constructor(private readonly sql: SqlDriver) {}

  /** The common case, a device seen before: one statement outside any transaction. */
  async touch(userId: string, deviceHash: string): Promise<boolean> {
    const rows = await this.sql.query(
      'UPDATE known_devices SET last_seen_at = now() WHERE user_id = $1::uuid AND device_hash = $2 RETURNING 1 AS seen',
      [userId, deviceHash],
    );
    return rows.length === 1;
  }

  /**
   * Records a device not seen before, in the caller's transaction. Returns 'new' when the user
   * has signed in from other devices (worth a notification), 'first' for an account's first one.
   */
  async add(tx: Tx, userId: string, deviceHash: string): Promise<'new' | 'first' | 'known'> {
    const others = await tx.knownDevice.count({ where: { userId } });
    const { count } = await tx.knownDevice.createMany({ data: [{ userId, deviceHash }], skipDuplicates: true });
    if (count === 0) return 'known';
    return others > 0 ? 'new' : 'first';
  }
}
