import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The product as `npm start` runs it: the compiled modules in dist/ (built by `npm run bench`
 * first), typed by their sources. A server child that loaded src/ through a TypeScript loader
 * would carry the loader's thread and transform caches (~70 MB) in the RSS the benchmark reports.
 */
// From bench/ and from .bench-build/ alike, dist/ is one level up.
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const load = <T>(module: string): Promise<T> => import(pathToFileURL(path.join(DIST, module)).href) as Promise<T>;

export const product = {
  config: () => load<typeof import('../src/config/index.js')>('config/index.js'),
  container: () => load<typeof import('../src/container.js')>('container.js'),
  logger: () => load<typeof import('../src/logger.js')>('logger.js'),
  server: () => load<typeof import('../src/server.js')>('server.js'),
  account: () => load<typeof import('../src/oidc/account.js')>('oidc/account.js'),
  configuration: () => load<typeof import('../src/oidc/configuration.js')>('oidc/configuration.js'),
  clientsFile: () => load<typeof import('../src/oidc/clients-file.js')>('oidc/clients-file.js'),
  keys: () => load<typeof import('../src/oidc/keys.js')>('oidc/keys.js'),
};
