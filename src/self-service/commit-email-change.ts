import type { Tx } from '../db/outbox-repository.js';
import { userWrites } from '../db/users-repository.js';
import type { Outbox } from '../services/outbox.js';

/**
 * Moves an account to an address whose `change_email` token was just spent in `tx`, by link or by
 * code. False when the account is gone or another account holds the address by now.
 */
export async function commitEmailChange(
  tx: Tx,
  deps: { readonly outbox: Outbox; readonly issuer: string },
  change: { readonly userId: string; readonly email: string },
  when: Date,
): Promise<boolean> {
  const before = await tx.user.findUnique({ where: { id: change.userId }, select: { email: true, name: true } });
  if (!before || !(await userWrites.changeEmail(tx, change.userId, change.email))) return false;
  // The old address hears of it, so a hijacked session cannot move the account away silently.
  await deps.outbox.mail(tx, {
    template: 'email-changed',
    to: before.email,
    data: { name: before.name ?? '', oldEmail: before.email, newEmail: change.email, when: when.toUTCString(), resetLink: `${deps.issuer}/forgot-password` },
  });
  return true;
}
