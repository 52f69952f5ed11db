import { loadConfig, ConfigError } from './config/index.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`authflow: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn(warning);

  // Loaded only after the configuration is known to be good, so a bad variable fails fast and alone.
  const [{ createContainer }, { ClientsFileError }, { KeysError }, { listen }] = await Promise.all([
    import('./container.js'),
    import('./oidc/clients-file.js'),
    import('./oidc/keys.js'),
    import('./server.js'),
  ]);
  let container;
  try {
    container = await createContainer(config, logger);
  } catch (error) {
    if (error instanceof ClientsFileError || error instanceof KeysError) {
      process.stderr.write(`authflow: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const running = await listen(container, config.port, config.host);
  logger.info({ url: config.issuer, database: container.db.kind }, 'AuthFlow is listening');
  process.stdout.write(
    `\n  AuthFlow is running at ${config.issuer}\n` +
      `  Discovery: ${config.issuer}/.well-known/openid-configuration\n` +
      (config.demoEnabled
        ? `  Try a sign-in: open ${config.issuer}/demo, choose "Sign in with AuthFlow", then "Create one"\n` +
          (config.mail.transport.kind === 'dev-outbox' ? `  Emails (your confirmation code) are not sent in development: read them at ${config.issuer}/dev/mail\n` : '')
        : `  Create a first user${container.db.kind === 'pglite' ? ' (stop AuthFlow first: the embedded database takes one process at a time)' : ''}: ` +
          `npm run cli -- users create --email you@example.com --password '<a long passphrase>'\n`) +
      '\n',
  );

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    running
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`authflow: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
