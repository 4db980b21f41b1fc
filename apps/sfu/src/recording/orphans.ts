import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * ffmpeg outlives a hub killed with -9 (nothing tells it its input stopped). Each running
 * segment leaves a note here (DATA_DIR/recordings/.running/<pid>.json); the next start ends
 * those processes and keeps what they wrote, so a crash loses no recorded minute.
 */
export interface RunningNote {
  recordingId: string;
  /** relative to DATA_DIR */
  file: string;
}

const dir = (dataDir: string) => join(dataDir, 'recordings', '.running');

export function noteRunning(dataDir: string, pid: number, note: RunningNote): void {
  mkdirSync(dir(dataDir), { recursive: true });
  writeFileSync(join(dir(dataDir), `${pid}.json`), JSON.stringify(note));
}

export function clearRunning(dataDir: string, pid: number): void {
  rmSync(join(dir(dataDir), `${pid}.json`), { force: true });
}

function isOurFfmpeg(pid: number, file: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('ffmpeg') && cmdline.includes(file);
  } catch {
    return false;
  }
}

async function ended(pid: number, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until;) {
    if (!existsSync(`/proc/${pid}`)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !existsSync(`/proc/${pid}`);
}

/** Ends leftover ffmpeg processes; returns the segments that have content, to be listed. */
export async function reapOrphans(dataDir: string): Promise<RunningNote[]> {
  if (!existsSync(dir(dataDir))) return [];
  const kept: RunningNote[] = [];
  for (const name of readdirSync(dir(dataDir))) {
    const pid = Number(name.replace(/\.json$/, ''));
    let note: RunningNote;
    try {
      note = JSON.parse(readFileSync(join(dir(dataDir), name), 'utf8')) as RunningNote;
    } catch {
      rmSync(join(dir(dataDir), name), { force: true });
      continue;
    }
    // SIGINT lets ffmpeg finish the file's index; it is idle anyway, so it exits at once
    if (Number.isInteger(pid) && isOurFfmpeg(pid, note.file)) {
      process.kill(pid, 'SIGINT');
      // let it write the file's trailer; an ffmpeg that hangs is not worth a stuck start
      if (!(await ended(pid, 5000))) process.kill(pid, 'SIGKILL');
    }
    const path = join(dataDir, note.file);
    if (existsSync(path) && statSync(path).size > 0) kept.push(note);
    rmSync(join(dir(dataDir), name), { force: true });
  }
  return kept;
}
