import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ROOT } from './hub-process.js';

// PGlite.create on an empty directory, as the embedded database's worker thread does
const INIT = `const { PGlite } = require(process.argv[1]);
PGlite.create(process.argv[2]).then((db) => db.close());`;

/**
 * Gives a test hub's DATA_DIR an embedded database that has been through PGlite's initdb and
 * nothing else. That initdb is about half of a test hub's start: on the 2-core test machine a
 * hub started on such a copy took 5.2 s of CPU instead of 9.9 s. The hub then does all it does
 * on a first start (migrations, the admin account, the root site) but that initdb.
 */
export function seedEmbeddedDatabase(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  cpSync(initialisedTemplate(), join(dataDir, 'pgdata'), { recursive: true });
}

/**
 * One initialised data dir per PGlite version, shared by every test file of the checkout. It
 * lives beside the packages (which a tmp cleaner leaves alone) and goes when they are reinstalled.
 */
function initialisedTemplate(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const template = join(cache, `yihu-pglite-initdb-${pgliteVersion(entry)}`);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const building = mkdtempSync(`${template}-building-`);
  try {
    execFileSync(process.execPath, ['-e', INIT, entry, join(building, 'pgdata')], { stdio: 'inherit' });
    try {
      renameSync(join(building, 'pgdata'), template);
    } catch (err) {
      // another test process made it at the same moment: theirs serves as well as ours
      if (!existsSync(join(template, 'PG_VERSION'))) throw err;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return template;
}

function pgliteVersion(entry: string): string {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === '@electric-sql/pglite' && pkg.version) return pkg.version;
  }
  throw new Error(`no package.json of @electric-sql/pglite above ${entry}`);
}
