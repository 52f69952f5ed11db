import { authorizationCodeFlow, CookieJar } from './http-flows.js';
import type { ServerProcess } from './server-process.js';

export interface LoginResult {
  readonly logins: number;
  readonly failures: number;
  readonly seconds: number;
  readonly loginsPerSecond: number;
  /** Whole sign-in (5 HTTP requests) as the person waits for it. */
  readonly p50: number;
  readonly p99: number;
  readonly cpuMsPerLogin: number;
  /** 1000 ms of one core divided by the server CPU one login costs. */
  readonly loginsPerCoreSecond: number;
  readonly serverCores: number;
  /** Share of the server's CPU spent in the kernel. */
  readonly serverSystemShare: number;
  /** Pages the kernel mapped afresh per login (argon2's 19 MiB is ~4900 when not reused). */
  readonly minorFaultsPerLogin: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * Full password sign-ins, each from a fresh browser: GET /auth → login page → POST the form with
 * its CSRF token → redirects → code → /token. autocannon cannot carry cookies and forms across
 * five requests, so this is a small fixed-duration loop with `concurrency` browsers at once.
 */
export async function runLogins(
  server: ServerProcess,
  accounts: readonly { login: string; password: string }[],
  options: { seconds: number; concurrency: number },
): Promise<LoginResult> {
  const latencies: number[] = [];
  let failures = 0;
  let firstError: unknown;
  const before = await server.request('usage', {});
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.concurrency }, async (_, worker) => {
      // Each worker is one browser signing in again and again: its session is gone each time, its
      // device cookie stays (a returning user; a new device would also send a notice email).
      let browser = new CookieJar();
      for (let i = 0; performance.now() < deadline; i += 1) {
        const account = accounts[(worker + i * options.concurrency) % accounts.length];
        if (!account) throw new Error('no accounts to sign in with');
        const t0 = performance.now();
        try {
          browser = browser.keeping(['authflow_device']);
          await authorizationCodeFlow(server.issuer, browser, account);
          latencies.push(performance.now() - t0);
        } catch (error) {
          failures += 1;
          firstError ??= error;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const after = await server.request('usage', {});
  if (firstError && latencies.length === 0) throw firstError;
  if (firstError) process.stderr.write(`login failures (${failures}), first: ${String(firstError)}\n`);
  latencies.sort((a, b) => a - b);
  const cpuMs = (after.cpuMicros - before.cpuMicros) / 1000;
  const cpuMsPerLogin = latencies.length > 0 ? cpuMs / latencies.length : Number.NaN;
  return {
    logins: latencies.length,
    failures,
    seconds,
    loginsPerSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMsPerLogin,
    loginsPerCoreSecond: 1000 / cpuMsPerLogin,
    serverCores: cpuMs / 1000 / seconds,
    serverSystemShare: (after.systemMicros - before.systemMicros) / (after.cpuMicros - before.cpuMicros),
    minorFaultsPerLogin: (after.minorFaults - before.minorFaults) / Math.max(1, latencies.length),
  };
}
