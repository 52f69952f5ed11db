import { createServer, type Server } from 'node:http';
import type { Container } from './container.js';

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  /** Stops accepting connections, lets in-flight requests finish (up to the timeout), then closes the database. */
  stop(): Promise<void>;
}

export async function listen(container: Container, port: number, host: string): Promise<RunningServer> {
  const server = createServer(container.handler);
  // Behind a load balancer, keep-alive must outlast the balancer's idle timeout.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  let stopping: Promise<void> | undefined;
  return {
    server,
    url: `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${actualPort}`,
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timeout = new Promise<void>((resolve) => {
          setTimeout(() => {
            server.closeAllConnections();
            resolve();
          }, container.config.shutdownTimeoutSeconds * 1000).unref();
        });
        await Promise.race([closed, timeout]);
        await container.close();
      })();
      return stopping;
    },
  };
}
