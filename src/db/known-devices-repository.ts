import type { Tx } from './outbox-repository.js';

/** Browsers each user has signed in from, by a hash of a long-lived device cookie. */
export const knownDevices = {
  /**
   * Records a sign-in from this device. Returns 'new' when the user has signed in before but never
   * from it (worth a notification), 'first' for the first device of an account, 'known' otherwise.
   */
  async record(tx: Tx, userId: string, deviceHash: string): Promise<'new' | 'first' | 'known'> {
    const seen = await tx.knownDevice.updateMany({ where: { userId, deviceHash }, data: { lastSeenAt: new Date() } });
    if (seen.count > 0) return 'known';
    const others = await tx.knownDevice.count({ where: { userId } });
    await tx.knownDevice.createMany({ data: [{ userId, deviceHash }], skipDuplicates: true });
    return others > 0 ? 'new' : 'first';
  },
};
