import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseInUseError, lockDataDir } from '../../src/db/data-dir-lock.js';

const freshDir = () => path.join(mkdtempSync(path.join(tmpdir(), 'authflow-lock-')), 'pglite');

describe('embedded data directory lock', () => {
  test('one holder at a time in this process; released, the directory can be taken again', () => {
    const dir = freshDir();
    const release = lockDataDir(dir);
    expect(readFileSync(`${dir}.lock`, 'utf8').trim()).toBe(String(process.pid));
    expect(() => lockDataDir(dir)).toThrow(DatabaseInUseError);
    release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
    lockDataDir(dir)();
  });

  test('a live process holding it is named and refused; once it is gone its lock is taken over', async () => {
    const dir = freshDir();
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    try {
      writeFileSync(`${dir}.lock`, `${holder.pid}\n`);
      expect(() => lockDataDir(dir)).toThrow(`is in use by process ${holder.pid}`);
    } finally {
      holder.kill('SIGKILL');
      await exited;
    }
    const release = lockDataDir(dir);
    expect(readFileSync(`${dir}.lock`, 'utf8').trim()).toBe(String(process.pid));
    release();
  });

  test('an unreadable lock file (a crash mid-write) does not keep the directory locked forever', () => {
    const dir = freshDir();
    writeFileSync(`${dir}.lock`, '');
    lockDataDir(dir)();
  });
});
