import { createHash, randomBytes } from 'node:crypto';
import type { User } from '../db/users-repository.js';
import type { Ctx, InteractionDeps } from './interaction-context.js';

const COOKIE = 'authflow_device';
const MAX_AGE_MS = 400 * 86_400_000;

/** A short description of the browser for the email; the full header can be long and noisy. */
function describeAgent(userAgent: string): string {
  const browser = /(Firefox|Edg|Chrome|Safari)\/[\d.]+/.exec(userAgent)?.[0] ?? 'an unknown browser';
  const system = /(Windows|Mac OS X|Android|iPhone|iPad|Linux)/.exec(userAgent)?.[0];
  return system ? `${browser} on ${system}` : browser;
}

/**
 * Remembers the browser a user signed in from, and emails them when it is one they have not used
 * before. The device cookie is random and only its hash is stored.
 */
export async function noteSignIn(ctx: Ctx, deps: InteractionDeps, user: User): Promise<void> {
  let device = ctx.cookies.get(COOKIE, { signed: false });
  if (!device || !/^[A-Za-z0-9_-]{22}$/.test(device)) device = randomBytes(16).toString('base64url');
  ctx.cookies.set(COOKIE, device, { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, maxAge: MAX_AGE_MS, signed: false, overwrite: true });
  const hash = createHash('sha256').update(device).digest('base64url');
  if (await deps.devices.touch(user.id, hash)) return;
  await deps.outbox.transaction(async (tx) => {
    if ((await deps.devices.add(tx, user.id, hash)) !== 'new') return;
    await deps.outbox.mail(tx, {
      template: 'new-device',
      to: user.email,
      data: {
        name: user.name ?? '',
        when: new Date().toUTCString(),
        device: describeAgent(ctx.get('user-agent').slice(0, 512)),
        ip: ctx.ip,
        resetLink: `${deps.issuer}/forgot-password`,
      },
    });
  });
}
