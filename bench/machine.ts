import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/**
 * How busy the whole machine was while the benchmark ran, so a run disturbed by something else
 * (a test suite on the same 2 cores) is visible in the report instead of silently skewing ratios.
 */
export interface MachineSample {
  readonly at: number;
  readonly busyTicks: number;
  readonly totalTicks: number;
  readonly load1: number;
}

export function sampleMachine(): MachineSample {
  let busyTicks = 0;
  let totalTicks = 0;
  try {
    // First line of /proc/stat: cpu user nice system idle iowait irq softirq steal ...
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    totalTicks = fields.reduce((a, b) => a + b, 0);
    busyTicks = totalTicks - (fields[3] ?? 0) - (fields[4] ?? 0);
  } catch {
    // Not Linux: only the load average is reported.
  }
  return { at: Date.now(), busyTicks, totalTicks, load1: loadavg()[0] ?? 0 };
}

export interface MachineReport {
  readonly cores: number;
  readonly wallSeconds: number;
  readonly machineBusyCoreSeconds: number;
  /** Our processes: the runner (autocannon, logins) and every server child. */
  readonly benchCoreSeconds: number;
  /** Everything else: other programs, and PostgreSQL's own processes on the postgres pass. */
  readonly otherCoreSeconds: number;
  readonly loadAtStart: number;
  readonly loadAtEnd: number;
}

export function machineReport(start: MachineSample, end: MachineSample, benchCpuMicros: number): MachineReport {
  const cores = cpus().length;
  const wallSeconds = (end.at - start.at) / 1000;
  const total = end.totalTicks - start.totalTicks;
  const busyFraction = total > 0 ? (end.busyTicks - start.busyTicks) / total : Number.NaN;
  const machineBusyCoreSeconds = busyFraction * cores * wallSeconds;
  const benchCoreSeconds = benchCpuMicros / 1e6;
  return { cores, wallSeconds, machineBusyCoreSeconds, benchCoreSeconds, otherCoreSeconds: machineBusyCoreSeconds - benchCoreSeconds, loadAtStart: start.load1, loadAtEnd: end.load1 };
}

export function describeMachine(m: MachineReport): string {
  const share = (x: number) => `${((100 * x) / (m.cores * m.wallSeconds)).toFixed(0)}%`;
  return `machine: ${m.cores} cores over ${m.wallSeconds.toFixed(0)} s — benchmark processes used ${m.benchCoreSeconds.toFixed(0)} core-s (${share(m.benchCoreSeconds)}), ` +
    `everything else ${m.otherCoreSeconds.toFixed(0)} core-s (${share(m.otherCoreSeconds)}; PostgreSQL's own processes count here); load average ${m.loadAtStart.toFixed(1)} → ${m.loadAtEnd.toFixed(1)}`;
}
