import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CommandName, Commands, Message, ServerOptions } from './protocol.js';

// Compiled by compile-server.ts (`npm run bench` does it first): the child runs on plain `node`.
const ENTRY = fileURLToPath(new URL('../.bench-build/server.js', import.meta.url));

/** The runner's handle on a forked server child: typed request/response over IPC. */
export class ServerProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly issuer: string,
  ) {}

  static start(options: ServerOptions): Promise<ServerProcess> {
    const child = fork(ENTRY, [JSON.stringify(options)], {
      execArgv: [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // As `npm start` and the container image run it (glibc settings, see README: Memory), for every server alike.
      env: { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '32768', ...process.env, NODE_ENV: 'production' },
    });
    return new Promise((resolve, reject) => {
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const onExit = (code: number | null) => reject(new Error(`${options.kind} server exited (${code}) before it was ready:\n${stderr}`));
      child.once('exit', onExit);
      child.on('message', (raw) => {
        const message = raw as Message;
        if (message.type !== 'ready') return;
        child.off('exit', onExit);
        const server = new ServerProcess(child, message.issuer);
        server.stderr = stderr;
        child.stderr?.on('data', (chunk: Buffer) => {
          server.stderr += chunk.toString();
        });
        child.on('message', (m) => server.onMessage(m as Message));
        child.on('exit', (code) => server.failAll(new Error(`server exited (${code}):\n${server.stderr.slice(-4000)}`)));
        resolve(server);
      });
    });
  }

  request<N extends CommandName>(cmd: N, args: Commands[N]['args']): Promise<Commands[N]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: (value) => resolve(value as Commands[N]['result']), reject });
      this.child.send({ id, cmd, args });
    });
  }

  /** Asks the child to shut down cleanly; kills it if it has not gone within 15 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.request('stop', {}).catch(() => undefined);
    await exited;
    clearTimeout(timer);
  }

  /** What the child wrote to stderr (warnings), for the report when something goes wrong. */
  get errorOutput(): string {
    return this.stderr;
  }

  private onMessage(message: Message): void {
    if (message.type !== 'reply') return;
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (message.ok) waiting.resolve(message.result);
    else waiting.reject(new Error(message.error));
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
