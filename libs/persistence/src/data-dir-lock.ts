import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';

// Lock files held by this process: a lock file naming our own pid is stale (a restarted
// container often gets its predecessor's pid) unless this process really holds it.
const heldHere = new Set<string>();

/**
 * PGlite does nothing to stop two processes opening one data directory, and two writers
 * would corrupt it. A pid file taken with O_EXCL is the lock; a stale one (its process
 * gone, e.g. after kill -9 or a power cut) is taken over.
 */
export class DataDirLock {
  private constructor(private readonly file: string) {}

  static acquire(dataDir: string): DataDirLock {
    const file = resolve(dataDir, 'yihu.lock');
    if (heldHere.has(file)) throw new DataDirInUseError(dataDir, process.pid);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        heldHere.add(file);
        return new DataDirLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
        if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
          throw new DataDirInUseError(dataDir, holder);
        }
        rmSync(file, { force: true });
      }
    }
    throw new DataDirInUseError(dataDir, null);
  }

  release(): void {
    rmSync(this.file, { force: true });
    heldHere.delete(this.file);
  }
}

export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number | null) {
    super(
      `DATA_DIR ${dataDir} is in use by another yihu process${pid ? ` (pid ${pid})` : ''}; ` +
        'stop it or set DATA_DIR to another directory',
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
