/** What the benchmark runner and a server child say to each other over the fork IPC channel. */

export type ServerKind = 'authflow' | 'bare';

export interface ServerOptions {
  readonly kind: ServerKind;
  readonly port: number;
  readonly keysDir: string;
  /** AuthFlow's AUTHFLOW_DATA_DIR (embedded PGlite lives under it). */
  readonly dataDir: string;
  readonly clientsFile: string;
  readonly cookieKey: string;
  readonly databaseUrl?: string | undefined;
  /** Where AuthFlow sends email (a discarding sink run by the bench). */
  readonly smtpUrl?: string | undefined;
}

export interface Usage {
  /** process.cpuUsage() user + system, every thread of the server (argon2 runs on libuv's pool). */
  readonly cpuMicros: number;
  /** The kernel's part of cpuMicros (socket I/O to clients and to PostgreSQL shows up here). */
  readonly systemMicros: number;
  /** Minor page faults so far: fresh pages the kernel had to map (and zero) for the process. */
  readonly minorFaults: number;
  readonly rssBytes: number;
  readonly maxRssBytes: number;
  /** Where the RSS is: V8's JS heap, and memory outside it (WebAssembly memories, Buffers). */
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
}

/** Each command and the shape of its answer. */
export interface Commands {
  usage: { args: Record<string, never>; result: Usage };
  createUsers: { args: { emails: string[]; password: string }; result: number };
  cleanup: { args: { emails: string[]; clientIds: string[] }; result: number };
  profileStart: { args: Record<string, never>; result: null };
  profileStop: { args: { file: string }; result: null };
  stop: { args: Record<string, never>; result: null };
}

export type CommandName = keyof Commands;

export interface Request<N extends CommandName = CommandName> {
  readonly id: number;
  readonly cmd: N;
  readonly args: Commands[N]['args'];
}

export type Message =
  | { readonly type: 'ready'; readonly issuer: string }
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: string };

/** The few things the runner can ask of a running server, AuthFlow or bare. */
export interface BenchTarget {
  readonly issuer: string;
  createUsers(emails: string[], password: string): Promise<number>;
  cleanup(emails: string[], clientIds: string[]): Promise<number>;
  stop(): Promise<void>;
}
