import autocannon from 'autocannon';
import type { ServerProcess } from './server-process.js';

/** One autocannon scenario. `setupRequest` lets a scenario send a different body per request. */
export interface LoadSpec {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly setupRequest?: (request: autocannon.Request) => autocannon.Request;
}

/** Either a time bound or a request count (the refresh pool is finite). */
export type Bound = { readonly seconds: number } | { readonly requests: number };

export interface Measured {
  readonly name: string;
  readonly ok: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** Non-2xx answers plus socket errors and timeouts. */
  readonly errors: number;
  /** Server CPU (all threads) per successful request, from the child's process.cpuUsage(). */
  readonly cpuMsPerRequest: number;
  /** Server CPU time / wall time: how many cores the server kept busy. */
  readonly serverCores: number;
  /** Share of that CPU spent in the kernel. */
  readonly serverSystemShare: number;
}

/**
 * One autocannon run, and how long it really took. autocannon reports on its one-second tick, so a
 * run bounded by a request count looks as if it lasted until the next whole second (a refresh
 * round of 0.4 s reports 1.01 s): its time is taken from the start to the last response instead.
 * A timed run keeps sending until that tick, so its own duration is right.
 */
async function cannon(issuer: string, spec: LoadSpec, bound: Bound, connections: number): Promise<{ result: autocannon.Result; seconds: number }> {
  const started = performance.now();
  let last = started;
  const options: autocannon.Options = {
    url: new URL(spec.path, issuer).href,
    method: spec.method,
    // autocannon refuses more connections than requests (a tiny refresh pool).
    connections: 'requests' in bound ? Math.max(1, Math.min(connections, bound.requests)) : connections,
    ...(spec.headers ? { headers: spec.headers } : {}),
    ...(spec.body !== undefined ? { body: spec.body } : {}),
    ...(spec.setupRequest ? { requests: [{ setupRequest: spec.setupRequest }] } : {}),
    ...('seconds' in bound ? { duration: bound.seconds } : { amount: bound.requests }),
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on('response', () => {
      last = performance.now();
    });
  });
  return { result, seconds: 'requests' in bound ? (last - started) / 1000 : result.duration };
}

/**
 * A bound split into `rounds` equal parts (at least one request each). A timed part is whole
 * seconds: autocannon stops on its one-second tick, so 1.5 s would run, and count, for 2.
 */
function share(bound: Bound, rounds: number): Bound {
  return 'seconds' in bound ? { seconds: Math.max(1, Math.round(bound.seconds / rounds)) } : { requests: Math.max(1, Math.floor(bound.requests / rounds)) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

/**
 * Measures one scenario on several servers at once: each is warmed up (JIT, connection pools,
 * caches), then the measured time is cut into rounds that visit the servers in turn, forwards and
 * backwards alternately. A slow spell of the machine (a neighbour VM, a kernel thread) then falls
 * on every server alike instead of on whichever ran during it, so a ratio compares like with like.
 * Requests and server CPU are summed over the rounds; p50 is the median of the rounds' p50s and p99
 * the worst round's. CPU and optionally a CPU profile cover exactly the measured windows.
 */
export async function measureInterleaved(
  servers: readonly { readonly server: ServerProcess; readonly spec: LoadSpec; readonly profileFile?: string | undefined; readonly warmup?: Bound; readonly run?: Bound }[],
  options: { warmup: Bound; run: Bound; rounds: number; connections: number },
): Promise<Measured[]> {
  for (const { server, spec, warmup = options.warmup } of servers) {
    const warm = 'seconds' in warmup ? warmup.seconds > 0 : warmup.requests > 0;
    if (warm) await cannon(server.issuer, spec, warmup, options.connections);
  }
  const totals = servers.map(() => ({ ok: 0, seconds: 0, errors: 0, cpuMicros: 0, systemMicros: 0, p50: [] as number[], p99: 0 }));
  for (const { server, profileFile } of servers) if (profileFile) await server.request('profileStart', {});
  for (let round = 0; round < options.rounds; round += 1) {
    const order = servers.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const { server, spec, run = options.run } = servers[i] as (typeof servers)[number];
      const total = totals[i] as (typeof totals)[number];
      const before = await server.request('usage', {});
      const { result, seconds } = await cannon(server.issuer, spec, share(run, options.rounds), options.connections);
      const after = await server.request('usage', {});
      total.ok += result['2xx'];
      total.seconds += seconds;
      total.errors += result.non2xx + result.errors;
      total.cpuMicros += after.cpuMicros - before.cpuMicros;
      total.systemMicros += after.systemMicros - before.systemMicros;
      total.p50.push(result.latency.p50);
      total.p99 = Math.max(total.p99, result.latency.p99);
    }
  }
  for (const { server, profileFile } of servers) if (profileFile) await server.request('profileStop', { file: profileFile });
  return servers.map(({ spec }, i) => {
    const t = totals[i] as (typeof totals)[number];
    const cpuMs = t.cpuMicros / 1000;
    return {
      name: spec.name,
      ok: t.ok,
      seconds: t.seconds,
      rps: t.ok / t.seconds,
      p50: median(t.p50),
      p99: t.p99,
      errors: t.errors,
      cpuMsPerRequest: t.ok > 0 ? cpuMs / t.ok : Number.NaN,
      serverCores: cpuMs / 1000 / t.seconds,
      serverSystemShare: t.systemMicros / t.cpuMicros,
    };
  });
}
