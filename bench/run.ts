/**
 * `npm run bench`: AuthFlow against a bare node-oidc-provider, side by side in one run, on
 * 127.0.0.1. Each server is a forked child (bench/server.ts, compiled, running dist/), so its CPU
 * time and RSS are its own; autocannon and the login loop run here. All servers run at once and every scenario is measured
 * in interleaved rounds (see measureInterleaved), so a ratio compares figures taken on the same
 * machine in the same minute, not one server's good spell against the other's bad one.
 * Prints a table and writes bench-results.json.
 *
 * Knobs (environment): DATABASE_URL (adds a `postgres` pass), BENCH_SECONDS, BENCH_WARMUP_SECONDS,
 * BENCH_CONNECTIONS, BENCH_ROUNDS, BENCH_ONLY=discovery,refresh,login,..., BENCH_TARGETS=bare,embedded,postgres,
 * BENCH_CPU_PROF=<dir> (a .cpuprofile of the server per measured scenario; see profile-summary.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadClientsFile } from '../src/oidc/clients-file.js';
import { loadOrCreateSigningKeys } from '../src/oidc/keys.js';
import { measureInterleaved, type LoadSpec, type Measured } from './load.js';
import { runLogins, type LoginResult } from './logins.js';
import { describeMachine, machineReport, sampleMachine } from './machine.js';
import type { ServerKind, Usage } from './protocol.js';
import { evaluate, formatTable, type TargetResult } from './report.js';
import { fixedScenarios, introspectionScenario, refreshScenario } from './scenarios.js';
import { startMailSink } from './mail-sink.js';
import { ServerProcess } from './server-process.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLIENTS_FILE = path.join(HERE, 'clients.json');
const env = process.env;
const databaseUrl = env.DATABASE_URL || undefined;
const settings = {
  warmupSeconds: Number(env.BENCH_WARMUP_SECONDS ?? 2),
  // Two AuthFlow servers with PostgreSQL: shorter windows keep the whole run near 3 minutes.
  seconds: Number(env.BENCH_SECONDS ?? (databaseUrl ? 6 : 8)),
  connections: Number(env.BENCH_CONNECTIONS ?? 16),
  // Each scenario's measured time is cut into this many rounds that visit the servers in turn;
  // autocannon ends a timed run on a whole second, so rounds of whole seconds (2 s by default).
  rounds: Number(env.BENCH_ROUNDS ?? (databaseUrl ? 3 : 4)),
  loginConcurrency: 8,
  accounts: 8,
};
const only = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',')) : undefined;
const wanted = (name: string) => !only || only.has(name);
const profileDir = env.BENCH_CPU_PROF ? path.resolve(env.BENCH_CPU_PROF) : undefined;
const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Target {
  readonly label: string;
  readonly kind: ServerKind;
  readonly url: string | undefined;
  readonly server: ServerProcess;
  readonly emails: string[];
  readonly accounts: { login: string; password: string }[];
  readonly atStart: Usage;
  readonly firstStartPeakRssBytes: number | undefined;
  readonly prepCpuMicros: number;
  readonly scenarios: Measured[];
  login?: LoginResult;
  minted: number;
}

async function startTarget(label: string, kind: ServerKind, url: string | undefined, dir: string, keysDir: string, cookieKey: string, smtpUrl: string): Promise<Target> {
  const options = { kind, port: 0, keysDir, dataDir: path.join(dir, label), clientsFile: CLIENTS_FILE, cookieKey, databaseUrl: url, smtpUrl };
  let firstStartPeakRssBytes: number | undefined;
  let prepCpuMicros = 0;
  if (kind === 'authflow' && !url) {
    // A deployed AuthFlow restarts on an existing data dir; creating one (PGlite's initdb) is a
    // one-off that briefly takes ~900 MB. Do it in a throwaway process and measure a restart.
    const first = await ServerProcess.start(options);
    const prep = await first.request('usage', {});
    firstStartPeakRssBytes = prep.maxRssBytes;
    prepCpuMicros = prep.cpuMicros;
    await first.stop();
  }
  const server = await ServerProcess.start(options);
  // Unique per run and per server: a shared PostgreSQL may hold other runs' and tests' users.
  const emails = Array.from({ length: settings.accounts }, (_, i) => `bench-${runId}-${label}-${i}@example.test`);
  const password = `bench ${runId} correct horse battery staple`;
  const atStart = await server.request('usage', {});
  await server.request('createUsers', { emails, password });
  return { label, kind, url, server, emails, accounts: emails.map((login) => ({ login, password })), atStart, firstStartPeakRssBytes, prepCpuMicros, scenarios: [], minted: 0 };
}

function record(target: Target, measured: Measured): void {
  target.scenarios.push(measured);
  log(`  ${measured.name.padEnd(13)} ${target.label.padEnd(9)} ${measured.rps.toFixed(0).padStart(6)} req/s  p99 ${measured.p99} ms  errors ${measured.errors}`);
}

async function runAll(targets: Target[], basicAuth: string): Promise<void> {
  const profileFile = (t: Target, name: string) => (profileDir ? path.join(profileDir, `${t.label}-${name}.cpuprofile`) : undefined);
  const timing = { warmup: { seconds: settings.warmupSeconds }, run: { seconds: settings.seconds }, rounds: settings.rounds, connections: settings.connections };
  const recordAll = (measured: Measured[]) => measured.forEach((m, i) => record(targets[i] as Target, m));
  for (const spec of fixedScenarios(basicAuth).filter((s) => wanted(s.name))) {
    recordAll(await measureInterleaved(targets.map((t) => ({ server: t.server, spec, profileFile: profileFile(t, spec.name) })), timing));
  }
  if (wanted('introspection')) {
    const specs = await Promise.all(targets.map((t) => introspectionScenario(t.server.issuer, basicAuth)));
    recordAll(await measureInterleaved(targets.map((t, i) => ({ server: t.server, spec: specs[i] as LoadSpec, profileFile: profileFile(t, 'introspection') })), timing));
  }
  if (wanted('refresh')) {
    const pools: Awaited<ReturnType<typeof refreshScenario>>[] = [];
    for (const t of targets) {
      const pool = await refreshScenario(t.server, t.accounts, settings);
      t.minted = pool.minted;
      pools.push(pool);
    }
    const measured = await measureInterleaved(targets.map((t, i) => ({ server: t.server, ...(pools[i] as (typeof pools)[number]), profileFile: profileFile(t, 'refresh') })), timing);
    recordAll(measured);
    targets.forEach((t, i) => log(`    (${t.label}: ${t.minted} refresh tokens pre-issued through authorization-code flows; measured over ${measured[i]?.seconds.toFixed(2)} s)`));
  }
  for (const t of targets.filter((x) => x.kind === 'authflow' && wanted('login'))) {
    const file = profileFile(t, 'login');
    // Warm-up as for every other scenario: a cold server's first sign-ins also pay for JIT compilation.
    await runLogins(t.server, t.accounts, { seconds: settings.warmupSeconds, concurrency: settings.loginConcurrency });
    if (file) await t.server.request('profileStart', {});
    t.login = await runLogins(t.server, t.accounts, { seconds: settings.seconds, concurrency: settings.loginConcurrency });
    if (file) await t.server.request('profileStop', { file });
    log(`  login         ${t.label.padEnd(9)} ${t.login.loginsPerSecond.toFixed(1)} logins/s, ${t.login.cpuMsPerLogin.toFixed(1)} ms server CPU each`);
  }
}

async function finish(t: Target): Promise<TargetResult & { cpuMicros: number }> {
  const after = await t.server.request('usage', {});
  return {
    cpuMicros: after.cpuMicros + t.prepCpuMicros,
    label: t.label, scenarios: t.scenarios, login: t.login, refreshTokensMinted: t.minted,
    rssAfterBytes: after.rssBytes, maxRssBytes: after.maxRssBytes, rssAtStartBytes: t.atStart.rssBytes, firstStartPeakRssBytes: t.firstStartPeakRssBytes,
    heapUsedAfterBytes: after.heapUsedBytes, externalAfterBytes: after.externalBytes,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const machineStart = sampleMachine();
  const dir = mkdtempSync(path.join(tmpdir(), 'authflow-bench-'));
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const targets: Target[] = [];
  const mail = await startMailSink();
  try {
    // Generated once here, then loaded by every server through src/oidc/keys.ts: same signing keys.
    const keysDir = path.join(dir, 'keys');
    await loadOrCreateSigningKeys(keysDir);
    const service = loadClientsFile(CLIENTS_FILE, 'http://127.0.0.1', {}).clients.find((c) => c.client_id === 'bench-service');
    const basicAuth = `Basic ${Buffer.from(`bench-service:${String(service?.client_secret)}`).toString('base64')}`;
    const cookieKey = randomBytes(32).toString('base64url');
    const plan: [string, ServerKind, string | undefined][] = [['bare', 'bare', undefined], ['embedded', 'authflow', undefined]];
    if (databaseUrl) plan.push(['postgres', 'authflow', databaseUrl]);
    const chosen = env.BENCH_TARGETS ? new Set(env.BENCH_TARGETS.split(',')) : undefined;
    for (const [label, kind, url] of plan.filter(([label]) => !chosen || chosen.has(label))) {
      log(`starting ${label}`);
      targets.push(await startTarget(label, kind, url, dir, keysDir, cookieKey, mail.url));
    }
    await runAll(targets, basicAuth);
    const finished = [];
    for (const t of targets) finished.push(await finish(t));
    const results: TargetResult[] = finished.map(({ cpuMicros: _cpu, ...result }) => result);
    const own = process.cpuUsage();
    const machine = machineReport(machineStart, sampleMachine(), own.user + own.system + finished.reduce((sum, f) => sum + f.cpuMicros, 0));
    const checks = evaluate(results);
    const elapsed = (Date.now() - started) / 1000;
    process.stdout.write(`\nAuthFlow benchmark — node ${process.version}, ${cpus().length} cores, ${settings.connections} connections, ` +
      `${settings.warmupSeconds} s warm-up + ${settings.seconds} s per scenario${profileDir ? ', PROFILED (figures inflated)' : ''}\n\n`);
    process.stdout.write(`${formatTable(results)}\n\n`);
    const missed = checks.filter((c) => !c.pass);
    process.stdout.write(`${checks.length - missed.length}/${checks.length} targets met${missed.length ? `; missed: ${missed.map((c) => `${c.server} ${c.what} ${c.value.toFixed(2)} (${c.goal})`).join('; ')}` : ''}\n`);
    process.stdout.write(`whole run ${elapsed.toFixed(0)} s; ${describeMachine(machine)}\n`);
    if (machine.otherCoreSeconds > 0.1 * machine.cores * machine.wallSeconds) {
      process.stdout.write('WARNING: other processes took a sizeable share of the CPU during this run; ratios taken under contention are unreliable, rerun on a quiet machine\n');
    }
    const file = path.join(HERE, '..', 'bench-results.json');
    writeFileSync(file, `${JSON.stringify({ runId, date: new Date(started).toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, settings, profiled: Boolean(profileDir), elapsedSeconds: elapsed, machine, results, checks }, null, 2)}\n`);
    process.stdout.write(`figures written to ${path.relative(process.cwd(), file) || file}\n`);
  } finally {
    // A shared PostgreSQL outlives the run: take the benchmark's users and artifacts out, even after a failure.
    for (const t of targets.filter((x) => x.url)) {
      await t.server.request('cleanup', { emails: t.emails, clientIds: ['bench-spa', 'bench-service'] }).catch((e: unknown) => log(`cleanup failed: ${String(e)}`));
    }
    await Promise.all(targets.map((t) => t.server.stop()));
    await mail.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
