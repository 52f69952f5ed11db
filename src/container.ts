import type Provider from 'oidc-provider';
import { createRequestHandler, type RequestHandler } from './app.js';
import { accountClient, withAccountClient } from './account/account-client.js';
import { AccountSessions } from './account/account-session.js';
import { CurrentPassword } from './account/current-password.js';
import { EmailChange } from './account/email-change.js';
import { PasswordChange } from './account/password-change.js';
import { DEMO_CLIENT_ID, demoClient } from './demo/demo-client.js';
import { DemoSessions } from './demo/demo-sessions.js';
import { AuditLog } from './audit/audit-log.js';
import type { Config } from './config/index.js';
import { PasswordHasher } from './credentials/password-hasher.js';
import { AuditRepository } from './db/audit-repository.js';
import { openDatabase, type Database } from './db/database.js';
import { OidcStore } from './db/oidc-store.js';
import { UsersRepository } from './db/users-repository.js';
import { Csrf } from './http/csrf.js';
import { createRenderer } from './http/views.js';
import type { Logger } from './logger.js';
import { createFindAccount } from './oidc/account.js';
import { oidcAdapterFactory } from './oidc/adapter.js';
import { loadClientsFile, withoutClient, type RegisteredClients } from './oidc/clients-file.js';
import { loadOrCreateSigningKeys } from './oidc/keys.js';
import { providerPages } from './oidc/pages.js';
import { createProvider } from './oidc/provider.js';
import { tokenSessionFinder } from './oidc/token-session.js';
import { UsersService } from './users/users-service.js';
import { EmailTokensRepository } from './db/email-tokens-repository.js';
import { OutboxRepository } from './db/outbox-repository.js';
import { KnownDevicesRepository } from './db/known-devices-repository.js';
import { EmailLinks } from './self-service/email-links.js';
import { EmailVerification } from './self-service/email-verification.js';
import { OneTimeTokens } from './self-service/one-time-tokens.js';
import { PasswordRecovery } from './self-service/password-recovery.js';
import { jobCatalogue } from './services/jobs/catalogue.js';
import type { JobRunner } from './services/jobs/jobs.js';
import { startJobs } from './services/jobs/start-jobs.js';
import { createMailTransport } from './services/mail/transport.js';
import { Outbox } from './services/outbox.js';
import { WindowLimiter } from './services/rate-limit.js';

export interface Container {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Database;
  readonly provider: Provider;
  /** Everything HTTP: AuthFlow's pages and the provider's endpoints. */
  readonly handler: RequestHandler;
  readonly users: UsersService;
  readonly oidcStore: OidcStore;
  readonly audit: AuditLog;
  readonly registered: RegisteredClients;
  readonly recovery: PasswordRecovery;
  close(): Promise<void>;
}

/** Opens the database and builds the services the CLI needs, without keys or a provider. */
export async function openCore(config: Config, logger: Logger) {
  const db = await openDatabase(config.database);
  await db.migrate();
  const oidcStore = new OidcStore(db.sql);
  const hasher = new PasswordHasher({ ...config.argon2 });
  const usersRepository = new UsersRepository(db.prisma, db.sql);
  const outboxRepository = new OutboxRepository(db.sql);
  const outbox = new Outbox(db, outboxRepository);
  const users = new UsersService(usersRepository, hasher, oidcStore, outbox);
  const audit = new AuditLog(new AuditRepository(db.prisma, db.sql), logger);
  const emailTokens = new EmailTokensRepository(db.sql);
  const tokens = new OneTimeTokens(emailTokens, config.cookieKeys);
  const perIp = new WindowLimiter(20, 3600_000);
  const verification = new EmailVerification({ tokens, repository: emailTokens, outbox, issuer: config.issuer, perIp });
  const links = new EmailLinks({ tokens, outbox, issuer: config.issuer });
  const recovery = new PasswordRecovery({ tokens, repository: emailTokens, users: usersRepository, hasher, oidc: oidcStore, outbox, issuer: config.issuer });
  return { db, oidcStore, users, audit, usersRepository, outbox, outboxRepository, verification, links, recovery, perIp, hasher, tokens, emailTokens };
}

export type Core = Awaited<ReturnType<typeof openCore>>;

/** Starts this process's job workers (unless RUN_WORKERS=false) and lets the outbox wake them. */
export async function startWorkers(config: Config, logger: Logger, core: Core): Promise<{ runner: JobRunner | undefined; close(): Promise<void> }> {
  if (!config.jobs.runWorkers) return { runner: undefined, close: async () => undefined };
  const transport = createMailTransport(config.mail);
  const { handlers, recurring } = jobCatalogue({ config, transport, recovery: core.recovery, oidc: core.oidcStore, users: core.usersRepository, reclaimSpace: () => core.db.reclaimSpace(), logger });
  const runner = await startJobs(config, core.outboxRepository, handlers, recurring, logger).catch((error: unknown) => {
    transport.close();
    throw error;
  });
  core.outbox.onCommit(() => runner.kick());
  return {
    runner,
    async close() {
      await runner.stop();
      transport.close();
    },
  };
}

/** The only place that constructs things; everything else receives what it needs. */
export async function createContainer(config: Config, logger: Logger): Promise<Container> {
  // Fail on a bad clients file before touching the database.
  const fromFile = loadClientsFile(config.clientsFile, config.issuer, config.secrets);
  // The shipped demo client exists for /demo only; with the demo off it must not sign anyone in.
  const registered = withAccountClient(config.demoEnabled ? fromFile : withoutClient(fromFile, DEMO_CLIENT_ID), config.issuer);
  const core = await openCore(config, logger);
  try {
    const keys = await loadOrCreateSigningKeys(config.keysDir);
    if (keys.generated) logger.warn({ file: keys.file }, 'no signing keys found: generated an RS256 and an ES256 key');
    const render = createRenderer({ cache: config.env === 'production' });
    const provider = createProvider(
      config,
      {
        config,
        registered,
        keys: keys.keys,
        adapter: oidcAdapterFactory(core.oidcStore, { refreshTokenGraceSeconds: config.refreshTokenReuseGraceSeconds }),
        findAccount: createFindAccount(core.usersRepository),
        pages: providerPages(render),
      },
      core.audit,
      logger,
    );
    const csrf = new Csrf(config.cookieKeys);
    const demo = config.demoEnabled
      ? { demo: demoClient(config.issuer), sessions: new DemoSessions(), render, csrf, secureCookies: config.secureCookies }
      : undefined;
    // The development outbox is a page only outside production and only without real SMTP.
    const devMail = config.env !== 'production' && config.mail.transport.kind === 'dev-outbox' ? config.mail.transport : undefined;
    const handler = createRequestHandler({
      config,
      provider,
      render,
      logger,
      ping: () => core.db.ping(),
      interactions: {
        provider, render, csrf, users: core.users, audit: core.audit, registered,
        verification: core.verification,
        requireEmailVerification: config.requireEmailVerification,
        devMailUrl: devMail ? `${config.issuer}/dev/mail` : undefined,
        outbox: core.outbox,
        devices: new KnownDevicesRepository(core.db.sql),
        issuer: config.issuer,
        secureCookies: config.secureCookies,
      },
      selfService: { render, csrf, links: core.links, recovery: core.recovery, audit: core.audit, perIp: core.perIp },
      account: {
        client: accountClient(config.issuer),
        sessions: new AccountSessions({ secureCookies: config.secureCookies, store: core.oidcStore }),
        findTokenSession: tokenSessionFinder(provider),
        users: core.users,
        currentPassword: new CurrentPassword(core.hasher),
        passwords: new PasswordChange({ hasher: core.hasher, oidc: core.oidcStore, outbox: core.outbox, issuer: config.issuer }),
        emails: new EmailChange({ tokens: core.tokens, repository: core.emailTokens, users: core.usersRepository, outbox: core.outbox, issuer: config.issuer }),
        render, csrf, audit: core.audit,
      },
      devMailDir: devMail ? devMail.dir : undefined,
      demo,
    });
    const workers = await startWorkers(config, logger, core);
    return {
      config,
      logger,
      db: core.db,
      provider,
      handler,
      users: core.users,
      oidcStore: core.oidcStore,
      audit: core.audit,
      registered,
      recovery: core.recovery,
      async close() {
        await workers.close();
        await core.audit.flush();
        await core.db.close();
      },
    };
  } catch (error) {
    await core.db.close();
    throw error;
  }
}
