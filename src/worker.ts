import { ConfigError, loadConfig } from './config/index.js';
import { createLogger } from './logger.js';

/**
 * `npm run worker`: the job workers alone (outbox relay, email, scheduled cleanup), for a
 * deployment where web processes run with RUN_WORKERS=false.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({ ...process.env, RUN_WORKERS: 'true' });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`authflow worker: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const { openCore, startWorkers } = await import('./container.js');
  const core = await openCore(config, logger);
  const workers = await startWorkers(config, logger, core);
  logger.info({ queue: workers.runner?.kind }, 'AuthFlow worker is running');
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'worker shutting down');
    workers
      .close()
      .then(() => core.audit.flush())
      .then(() => core.db.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'worker shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`authflow worker: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
