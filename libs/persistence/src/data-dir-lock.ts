import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * PGlite does nothing to stop two processes opening one data directory, and two writers
 * would corrupt it. A pid file taken with O_EXCL is the lock; a stale one (its process
 * gone, e.g. after kill -9 or a power cut) is taken over.
 */
export class DataDirLock {
  private constructor(private readonly file: string) {}

  static acquire(dataDir: string): DataDirLock {
    const file = join(dataDir, 'yihu.lock');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
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
