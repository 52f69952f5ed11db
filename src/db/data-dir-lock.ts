import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';

export class DatabaseInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `the embedded database ${dataDir} is in use by process ${pid}. PGlite has one writer: stop that AuthFlow first ` +
        '(the CLI cannot run beside an embedded server), or set DATABASE_URL to PostgreSQL to run several processes.',
    );
    this.name = 'DatabaseInUseError';
  }
}

const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(lockFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An exclusive claim on an embedded data directory. PGlite takes no lock of its own, and two
 * processes writing one directory corrupt it; AuthFlow's in-process caches also rely on being the
 * only writer. A lock left by a process that died is taken over. Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  if (heldHere.has(lockFile)) throw new DatabaseInUseError(dataDir, process.pid);
  for (let attempt = 0; ; attempt += 1) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const pid = holderOf(lockFile);
      // Our own pid in the file is a previous life of this container (PID 1 again), not a live holder.
      if (pid !== undefined && pid !== process.pid && isAlive(pid)) throw new DatabaseInUseError(dataDir, pid);
      unlinkSync(lockFile);
    }
  }
  heldHere.add(lockFile);
  return () => {
    if (!heldHere.delete(lockFile)) return;
    if (holderOf(lockFile) === process.pid) unlinkSync(lockFile);
  };
}
