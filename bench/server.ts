/**
 * A benchmark server child: `node --import tsx bench/server.ts '<ServerOptions JSON>'`, forked by
 * the runner with an IPC channel. It runs AuthFlow or the bare provider and answers the runner's
 * questions (CPU time, RSS, profiles) over IPC, so no benchmark-only route is added to the product
 * and the load generator's own CPU never counts as the server's.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { createServer } from 'node:net';
import { startAuthFlow } from './authflow-target.js';
import { startBare } from './bare-target.js';
import type { BenchTarget, CommandName, Message, Request, ServerOptions, Usage } from './protocol.js';

const requested = JSON.parse(process.argv[2] ?? '{}') as ServerOptions;

/** The issuer must name the port before the provider exists, so a free one is found first. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function send(message: Message): void {
  process.send?.(message);
}

function usage(): Usage {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    cpuMicros: cpu.user + cpu.system,
    systemMicros: cpu.system,
    minorFaults: process.resourceUsage().minorPageFault,
    rssBytes: memory.rss,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: memory.heapUsed,
    externalBytes: memory.external,
  };
}

let profiler: Session | undefined;

async function handle(target: BenchTarget, request: Request): Promise<unknown> {
  const cmd: CommandName = request.cmd;
  switch (cmd) {
    case 'usage':
      return usage();
    case 'createUsers': {
      const { emails, password } = (request as Request<'createUsers'>).args;
      return target.createUsers(emails, password);
    }
    case 'cleanup': {
      const { emails, clientIds } = (request as Request<'cleanup'>).args;
      return target.cleanup(emails, clientIds);
    }
    case 'profileStart':
      // The inspector profiles exactly the measured window, not boot or other scenarios.
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
      await profiler.post('Profiler.start');
      return null;
    case 'profileStop': {
      if (!profiler) return null;
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      await writeFile((request as Request<'profileStop'>).args.file, JSON.stringify(profile));
      return null;
    }
    case 'stop':
      await target.stop();
      setImmediate(() => process.exit(0));
      return null;
  }
}

async function main(): Promise<void> {
  const options: ServerOptions = { ...requested, port: requested.port || (await freePort()) };
  const target = options.kind === 'authflow' ? await startAuthFlow(options) : await startBare(options);
  process.on('message', (raw) => {
    const request = raw as Request;
    handle(target, request).then(
      (result) => send({ type: 'reply', id: request.id, ok: true, result }),
      (error: unknown) => send({ type: 'reply', id: request.id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) }),
    );
  });
  // The runner went away (crash, Ctrl-C): do not linger holding a port or a database.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', issuer: target.issuer });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench server failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
