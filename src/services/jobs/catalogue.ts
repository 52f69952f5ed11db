import type { Config } from '../../config/index.js';
import type { OidcStore } from '../../db/oidc-store.js';
import type { UsersRepository } from '../../db/users-repository.js';
import type { Logger } from '../../logger.js';
import type { PasswordRecovery } from '../../self-service/password-recovery.js';
import { RESET_REQUEST_JOB } from '../../self-service/password-recovery.js';
import { mailJobHandler } from '../mail/deliver-mail.js';
import { MAIL_JOB } from '../mail/mail-job.js';
import type { MailTransport } from '../mail/transport.js';
import type { JobHandlers, RecurringJob } from './jobs.js';

export interface CatalogueDeps {
  readonly config: Config;
  readonly transport: MailTransport;
  readonly recovery: PasswordRecovery;
  readonly oidc: OidcStore;
  readonly users: UsersRepository;
  /** Makes the space of purged rows reusable (see Database.reclaimSpace). */
  readonly reclaimSpace: () => Promise<void>;
  readonly logger: Logger;
}

/** Every job AuthFlow runs, by name: what a state change asks for, and what runs on a clock. */
export function jobCatalogue(deps: CatalogueDeps): { handlers: JobHandlers; recurring: RecurringJob[] } {
  const { config, logger } = deps;
  const handlers: JobHandlers = {
    [MAIL_JOB]: mailJobHandler(deps.transport, { appName: config.appName, issuer: config.issuer }),
    [RESET_REQUEST_JOB]: (payload) => deps.recovery.handleRequest(payload),
  };
  const recurring: RecurringJob[] = [
    {
      name: 'purge-expired',
      everyMs: config.purgeIntervalSeconds * 1000,
      async run() {
        const count = await deps.oidc.purgeExpired(new Date());
        if (count > 0) logger.info({ count }, 'purged expired oidc artifacts');
        await deps.reclaimSpace();
      },
    },
  ];
  if (config.requireEmailVerification) {
    recurring.push({
      name: 'delete-unverified-accounts',
      everyMs: 3600_000,
      // One DELETE decides which accounts go, so processes running this at once cannot collide.
      async run() {
        const ids = await deps.users.deleteUnverifiedBefore(new Date(Date.now() - config.unverifiedAccountTtlDays * 86_400_000));
        for (const id of ids) await deps.oidc.destroyByAccountId(id);
        if (ids.length > 0) logger.info({ count: ids.length }, 'deleted accounts never verified');
      },
    });
  }
  return { handlers, recurring };
}
