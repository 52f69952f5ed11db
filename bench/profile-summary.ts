/**
 * Summarises a V8 .cpuprofile written by `BENCH_CPU_PROF=<dir> npm run bench`:
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [top=25]
 * Self time by function, and inclusive time by "area" (a package under node_modules, a folder of
 * src/, Node internals, GC, idle), so one can see where a request's main-thread time goes.
 * Work on other threads (argon2 on libuv's pool, PostgreSQL itself) is not in a JS profile.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function area(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] ?? url;
  const src = /\/(src|dist|bench|\.bench-build)\/(.*)$/.exec(url);
  if (src) return `${src[1]}/${(src[2] ?? '').split('/').slice(0, -1).join('/') || (src[2] ?? '')}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const self = new Map<string, number>();
const selfByArea = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let idle = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const node = byId.get(id);
  if (!node) return;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === '(idle)') {
    idle += dt;
    return;
  }
  total += dt;
  const key = `${functionName || '(anonymous)'}  ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(src|bench)\//, '$1/')}:${lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  const own = area(url, functionName);
  selfByArea.set(own, (selfByArea.get(own) ?? 0) + dt);
  // Each area counted once per sample, however deep the stack goes through it.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const frame = byId.get(cur)?.callFrame;
    const name = frame ? area(frame.url, frame.functionName) : '';
    // Node's own frames sit under everything (ticks, streams) and would swamp the list.
    if (frame && frame.functionName !== '(root)' && name !== 'node internals' && name !== '(native)') seen.add(name);
  }
  for (const a of seen) inclusive.set(a, (inclusive.get(a) ?? 0) + dt);
});

const wall = (profile.endTime - profile.startTime) / 1000;
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
process.stdout.write(`${file}\nwall ${wall.toFixed(0)} ms, main thread busy ${(total / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms\n\n`);
process.stdout.write('self time by area (share of busy main-thread time):\n');
for (const [k, v] of [...selfByArea].sort((a, b) => b[1] - a[1]).slice(0, 14)) process.stdout.write(`${pct(v)} ${ms(v)}  ${k}\n`);
process.stdout.write('\ninclusive by area (synchronous stacks only; an await ends a stack):\n');
for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 18)) process.stdout.write(`${pct(v)} ${ms(v)}  ${k}\n`);
process.stdout.write(`\ntop ${top} functions by self time:\n`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(v)} ${ms(v)}  ${k}\n`);
