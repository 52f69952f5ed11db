import type { Measured } from './load.js';
import type { LoginResult } from './logins.js';

export interface TargetResult {
  /** `bare`, `embedded` (AuthFlow on PGlite) or `postgres` (AuthFlow on PostgreSQL). */
  readonly label: string;
  readonly scenarios: Measured[];
  readonly login?: LoginResult | undefined;
  readonly refreshTokensMinted: number;
  readonly rssAfterBytes: number;
  readonly maxRssBytes: number;
  /** Right after start, before any load. */
  readonly rssAtStartBytes: number;
  /** Embedded only: peak of the process that created the data dir (PGlite initdb), not measured further. */
  readonly firstStartPeakRssBytes?: number | undefined;
  readonly heapUsedAfterBytes: number;
  readonly externalAfterBytes: number;
}

/** AuthFlow's throughput as a fraction of the bare provider's, measured side by side. */
export const RATIO_TARGETS: Readonly<Record<string, number>> = {
  discovery: 0.9,
  jwks: 0.9,
  'cc-jwt': 0.7,
  'cc-opaque': 0.4,
  introspection: 0.5,
  refresh: 0.4,
};
export const LOGINS_PER_CORE_TARGET = 30;
export const RSS_TARGET_MB = 300;

export interface Check {
  readonly server: string;
  readonly what: string;
  readonly value: number;
  readonly goal: string;
  readonly pass: boolean;
}

const mb = (bytes: number) => bytes / 1024 / 1024;

export function ratio(bare: TargetResult | undefined, scenario: Measured): number | undefined {
  const base = bare?.scenarios.find((s) => s.name === scenario.name);
  return base && base.rps > 0 ? scenario.rps / base.rps : undefined;
}

export function evaluate(results: readonly TargetResult[]): Check[] {
  const bare = results.find((r) => r.label === 'bare');
  const checks: Check[] = [];
  for (const target of results.filter((r) => r.label !== 'bare')) {
    for (const scenario of target.scenarios) {
      const goal = RATIO_TARGETS[scenario.name];
      const value = ratio(bare, scenario);
      if (goal === undefined || value === undefined) continue;
      checks.push({ server: target.label, what: `${scenario.name} req/s vs bare`, value, goal: `≥ ${goal.toFixed(2)}×`, pass: value >= goal && scenario.errors === 0 });
    }
    if (target.login) {
      const value = target.login.loginsPerCoreSecond;
      checks.push({ server: target.label, what: 'password logins per core-second', value, goal: `≥ ${LOGINS_PER_CORE_TARGET}`, pass: value >= LOGINS_PER_CORE_TARGET && target.login.failures === 0 });
    }
    checks.push({ server: target.label, what: 'RSS after run (MB)', value: mb(target.rssAfterBytes), goal: `≤ ${RSS_TARGET_MB}`, pass: mb(target.rssAfterBytes) <= RSS_TARGET_MB });
  }
  return checks;
}

const pad = (value: string, width: number) => (value.length >= width ? value : ' '.repeat(width - value.length) + value);
const left = (value: string, width: number) => value.padEnd(width);
const num = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

export function formatTable(results: readonly TargetResult[]): string {
  const bare = results.find((r) => r.label === 'bare');
  const lines: string[] = [];
  const header = [left('scenario', 14), left('server', 9), pad('req/s', 8), pad('p50 ms', 8), pad('p99 ms', 8), pad('errors', 7), pad('cpu ms/req', 11), pad('cores', 6), pad('× bare', 7), pad('cpu×bare', 9), '  target'];
  lines.push(header.join(' '), '-'.repeat(header.join(' ').length + 12));
  const names = [...new Set(results.flatMap((r) => r.scenarios.map((s) => s.name)))];
  for (const name of names) {
    for (const target of results) {
      const s = target.scenarios.find((x) => x.name === name);
      if (!s) continue;
      const base = bare?.scenarios.find((x) => x.name === name);
      const r = target.label === 'bare' ? undefined : ratio(bare, s);
      const goal = RATIO_TARGETS[name];
      const verdict = r === undefined || goal === undefined ? '' : `≥ ${goal.toFixed(2)}× ${r >= goal && s.errors === 0 ? 'pass' : 'MISS'}`;
      const cpuRatio = target.label !== 'bare' && base ? num(s.cpuMsPerRequest / base.cpuMsPerRequest, 2) + '×' : '';
      lines.push([
        left(target === results.find((t) => t.scenarios.some((x) => x.name === name)) ? name : '', 14), left(target.label, 9),
        pad(num(s.rps), 8), pad(num(s.p50, 1), 8), pad(num(s.p99, 1), 8), pad(String(s.errors), 7),
        pad(num(s.cpuMsPerRequest, 3), 11), pad(num(s.serverCores, 2), 6), pad(r === undefined ? '' : `${num(r, 2)}×`, 7), pad(cpuRatio, 9), `  ${verdict}`,
      ].join(' '));
    }
  }
  for (const target of results) {
    const l = target.login;
    if (!l) continue;
    lines.push('', `password login (${target.label}): ${num(l.logins)} logins in ${num(l.seconds, 1)} s = ${num(l.loginsPerSecond, 1)} logins/s, ` +
      `p50 ${num(l.p50)} ms, p99 ${num(l.p99)} ms, failures ${l.failures}`,
      `  server CPU ${num(l.cpuMsPerLogin, 1)} ms per login (${num(l.serverCores, 2)} cores busy, ${num(100 * l.serverSystemShare)}% in the kernel, ${num(l.minorFaultsPerLogin)} page faults) = ${num(l.loginsPerCoreSecond, 1)} logins/s per core ` +
      `  target ≥ ${LOGINS_PER_CORE_TARGET} ${l.loginsPerCoreSecond >= LOGINS_PER_CORE_TARGET && l.failures === 0 ? 'pass' : 'MISS'}`);
  }
  lines.push('', 'server RSS after the run: ' + results.map((t) => {
    const verdict = t.label === 'bare' ? '' : ` (≤ ${RSS_TARGET_MB} ${mb(t.rssAfterBytes) <= RSS_TARGET_MB ? 'pass' : 'MISS'})`;
    return `${t.label} ${num(mb(t.rssAfterBytes))} MB${verdict}`;
  }).join('; '));
  for (const t of results) {
    lines.push(`  ${t.label}: ${num(mb(t.rssAtStartBytes))} MB at start, peak ${num(mb(t.maxRssBytes))} MB; after: JS heap ${num(mb(t.heapUsedAfterBytes))} MB, ` +
      `external (WebAssembly, Buffers) ${num(mb(t.externalAfterBytes))} MB` +
      (t.firstStartPeakRssBytes ? `; creating the data dir peaked at ${num(mb(t.firstStartPeakRssBytes))} MB (one-off, separate process)` : ''));
  }
  return lines.join('\n');
}
