import type { Tx } from '../db/outbox-repository.js';
import type { Outbox } from '../services/outbox.js';
import type { OneTimeTokens } from './one-time-tokens.js';

const LINK_TTL_MS = 24 * 3600_000;
const CODE_TTL_MS = 10 * 60_000;

/**
 * Mails a link (24 h) and a 6-digit code (10 min) to an address, in the caller's transaction:
 * proof that the person controls it, for a new account or a new address of an existing one.
 */
export async function mailAddressProof(
  tx: Tx,
  deps: { readonly tokens: OneTimeTokens; readonly outbox: Outbox; readonly issuer: string },
  input: { readonly userId: string; readonly name: string | null; readonly email: string; readonly purpose: 'verify_email' | 'change_email' },
): Promise<void> {
  const issued = await deps.tokens.issue(tx, { userId: input.userId, purpose: input.purpose, email: input.email, linkTtlMs: LINK_TTL_MS, codeTtlMs: CODE_TTL_MS });
  await deps.outbox.mail(tx, {
    template: input.purpose === 'verify_email' ? 'verify-email' : 'change-email',
    to: input.email,
    data: {
      name: input.name ?? '',
      link: `${deps.issuer}/verify-email?token=${issued.link}`,
      code: issued.code ?? '',
      linkHours: String(LINK_TTL_MS / 3600_000),
      codeMinutes: String(CODE_TTL_MS / 60_000),
    },
  });
}
