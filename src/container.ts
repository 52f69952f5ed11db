import type Koa from 'koa';
import type Provider from 'oidc-provider';
import { createApp } from './app.js';
import { DEMO_CLIENT_ID, DemoClient } from './demo/demo-client.js';
import { DemoSessions } from './demo/demo-sessions.js';
import { AuditLog } from './audit/audit-log.js';
import type { Config } from './config/index.js';
import { PasswordHasher } from './credentials/password-hasher.js';
import { AuditRepository } from './db/audit-repository.js';
import { openDatabase, type Database } from './db/database.js';
import { OidcStore } from './db/oidc-store.js';
import { UsersRepository } from './db/users-repository.js';
import { Csrf } from './http/csrf.js';
import type { AppState } from './http/state.js';
import { createRenderer } from './http/views.js';
import type { Logger } from './logger.js';
import { createFindAccount } from './oidc/account.js';
import { oidcAdapterFactory } from './oidc/adapter.js';
import { loadClientsFile, withoutClient, type RegisteredClients } from './oidc/clients-file.js';
import { loadOrCreateSigningKeys } from './oidc/keys.js';
import { providerPages } from './oidc/pages.js';
import { createProvider } from './oidc/provider.js';
import { UsersService } from './users/users-service.js';

export interface Container {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Database;
  readonly provider: Provider;
  readonly app: Koa<AppState>;
  readonly users: UsersService;
  readonly oidcStore: OidcStore;
  readonly audit: AuditLog;
  readonly registered: RegisteredClients;
  close(): Promise<void>;
}

/** Opens the database and builds the services the CLI needs, without keys or a provider. */
export async function openCore(config: Config, logger: Logger) {
  const db = await openDatabase(config.database);
  await db.migrate();
  const oidcStore = new OidcStore(db.sql);
  const hasher = new PasswordHasher({ ...config.argon2 });
  const usersRepository = new UsersRepository(db.prisma, db.sql);
  const users = new UsersService(usersRepository, hasher, oidcStore);
  const audit = new AuditLog(new AuditRepository(db.prisma, db.sql), logger);
  return { db, oidcStore, users, audit, usersRepository };
}

/** The only place that constructs things; everything else receives what it needs. */
export async function createContainer(config: Config, logger: Logger): Promise<Container> {
  // Fail on a bad clients file before touching the database.
  const fromFile = loadClientsFile(config.clientsFile, config.issuer, config.secrets);
  // The shipped demo client exists for /demo only; with the demo off it must not sign anyone in.
  const registered = config.demoEnabled ? fromFile : withoutClient(fromFile, DEMO_CLIENT_ID);
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
      ? { demo: new DemoClient(config.issuer), sessions: new DemoSessions(), render, csrf, secureCookies: config.secureCookies }
      : undefined;
    const app = createApp({
      config,
      provider,
      render,
      logger,
      ping: () => core.db.ping(),
      interactions: { provider, render, csrf, users: core.users, audit: core.audit, registered },
      demo,
    });
    const purge = setInterval(() => {
      core.oidcStore
        .purgeExpired(new Date())
        .then((count) => count > 0 && logger.info({ count }, 'purged expired oidc artifacts'))
        .catch((error: unknown) => logger.error({ err: error }, 'purge of expired oidc artifacts failed'));
    }, config.purgeIntervalSeconds * 1000);
    purge.unref();
    return {
      config,
      logger,
      db: core.db,
      provider,
      app,
      users: core.users,
      oidcStore: core.oidcStore,
      audit: core.audit,
      registered,
      async close() {
        clearInterval(purge);
        await core.audit.flush();
        await core.db.close();
      },
    };
  } catch (error) {
    await core.db.close();
    throw error;
  }
}
