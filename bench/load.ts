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

function cannon(issuer: string, spec: LoadSpec, bound: Bound, connections: number): Promise<autocannon.Result> {
  return autocannon({
    url: new URL(spec.path, issuer).href,
    method: spec.method,
    // autocannon refuses more connections than requests (a tiny refresh pool).
    connections: 'requests' in bound ? Math.max(1, Math.min(connections, bound.requests)) : connections,
    ...(spec.headers ? { headers: spec.headers } : {}),
    ...(spec.body !== undefined ? { body: spec.body } : {}),
    ...(spec.setupRequest ? { requests: [{ setupRequest: spec.setupRequest }] } : {}),
    ...('seconds' in bound ? { duration: bound.seconds } : { amount: bound.requests }),
  });
}

/**
 * Warms the path up (JIT, connection pools, caches), then measures: autocannon in this process,
 * CPU and optionally a CPU profile of the server child over exactly the measured window.
 */
export async function measure(
  server: ServerProcess,
  spec: LoadSpec,
  options: { warmup: Bound; run: Bound; connections: number; profileFile?: string | undefined },
): Promise<Measured> {
  const warm = 'seconds' in options.warmup ? options.warmup.seconds > 0 : options.warmup.requests > 0;
  if (warm) await cannon(server.issuer, spec, options.warmup, options.connections);
  if (options.profileFile) await server.request('profileStart', {});
  const before = await server.request('usage', {});
  const result = await cannon(server.issuer, spec, options.run, options.connections);
  const after = await server.request('usage', {});
  if (options.profileFile) await server.request('profileStop', { file: options.profileFile });
  const ok = result['2xx'];
  const cpuMs = (after.cpuMicros - before.cpuMicros) / 1000;
  return {
    name: spec.name,
    ok,
    seconds: result.duration,
    rps: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors,
    cpuMsPerRequest: ok > 0 ? cpuMs / ok : Number.NaN,
    serverCores: cpuMs / 1000 / result.duration,
    serverSystemShare: (after.systemMicros - before.systemMicros) / (after.cpuMicros - before.cpuMicros),
  };
}
