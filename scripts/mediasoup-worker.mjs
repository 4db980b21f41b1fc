#!/usr/bin/env node
// Builds (or restores from cache) the mediasoup C++ worker binary.
// Run by the root package.json "postinstall". Plain Node ESM, built-ins only.
//
// Why this exists: mediasoup 3.8.4 is the last release whose npm package ships all worker
// dependency sources, so it is the one that builds offline here. On today's toolchain it needs
// two one-line patches (kept as data in patches/mediasoup-<version>.json) and PYTHON=python3.
// See /work/shared/MEDIASOUP.md. The build takes minutes, so the result is cached per
// mediasoup version + patch-set hash and later installs just copy it (well under a second).
//
// npm 10 vs npm 11: npm 11 honours "allowScripts": {"mediasoup": false}, so mediasoup's own
// postinstall never runs. npm 10 ignores allowScripts and runs it before ours. For 3.8.4 that
// script (npm-scripts.js "postinstall") downloads nothing: unless MEDIASOUP_WORKER_BIN is set it
// runs `make -C worker` on the *unpatched* sources with the Makefile's default PYTHON (python2
// if any `python2` is on PATH, e.g. a broken pyenv shim), which fails and aborts `npm ci`.
// Setting MEDIASOUP_WORKER_BIN (to any value) for the install command makes both its postinstall
// and its Makefile's default target a no-op. This script then still builds, because it drops
// MEDIASOUP_WORKER_BIN from make's environment. At runtime mediasoup spawns MEDIASOUP_WORKER_BIN
// if set, so only set it for the install, or point it at a real binary.
//
// Env:
//   MEDIASOUP_WORKER_BIN   if set and the file exists: do nothing (the app uses that binary).
//   YIHU_MEDIASOUP_CACHE   cache root (default ${XDG_CACHE_HOME:-~/.cache}/yihu/mediasoup).
//   JOBS                   parallel compile jobs (default: CPU count).
//   MEDIASOUP_BUILDTYPE    Release (default) or Debug; mediasoup reads the same variable.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const started = Date.now();
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => console.log(`[mediasoup-worker] ${msg}`);
const die = (msg) => {
  console.error(`[mediasoup-worker] ERROR: ${msg}`);
  process.exit(1);
};
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(2)}s`;

const envBin = process.env.MEDIASOUP_WORKER_BIN;
if (envBin && fs.existsSync(envBin)) {
  log(`MEDIASOUP_WORKER_BIN=${envBin} exists; nothing to do.`);
  process.exit(0);
}

// 1. Locate mediasoup the way Node will at runtime (handles hoisting), and read its version.
let msDir;
try {
  msDir = path.dirname(createRequire(path.join(repoRoot, 'package.json')).resolve('mediasoup/package.json'));
} catch {
  die(`mediasoup is not installed under ${repoRoot}/node_modules; run npm install first.`);
}
const version = JSON.parse(fs.readFileSync(path.join(msDir, 'package.json'), 'utf8')).version;

// 2. Apply the patch set for exactly this version, idempotently.
const patchFile = path.join(repoRoot, 'patches', `mediasoup-${version}.json`);
if (!fs.existsSync(patchFile)) {
  die(
    `no patch set for mediasoup ${version}: expected ${path.relative(repoRoot, patchFile)} (did the version move?)`,
  );
}
const { patches } = JSON.parse(fs.readFileSync(patchFile, 'utf8'));
for (const { file, search, replace } of patches) {
  const target = path.join(msDir, file);
  const text = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
  // Check "already replaced" first so a replace string containing the search never doubles up.
  if (text !== null && text.includes(replace) && !text.includes(search)) continue;
  if (text === null || !text.includes(search)) {
    die(
      `patch for mediasoup ${version} no longer applies: "${search}" not found in ${file} (did the version move?)`,
    );
  }
  fs.writeFileSync(target, text.split(search).join(replace));
  log(`patched ${file}`);
}

// 3. Cache key: version + hash of everything that changes the binary we would build.
const buildType = process.env.MEDIASOUP_BUILDTYPE === 'Debug' ? 'Debug' : 'Release';
const hash = createHash('sha256')
  .update(JSON.stringify({ patches, buildType, platform: process.platform, arch: process.arch }))
  .digest('hex')
  .slice(0, 12);
const cacheRoot =
  process.env.YIHU_MEDIASOUP_CACHE ||
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'yihu', 'mediasoup');
const cacheDir = path.join(cacheRoot, `${version}-${hash}`);
const cachedBin = path.join(cacheDir, 'mediasoup-worker');
// mediasoup looks here by default (lib/Worker.js), Debug/ when MEDIASOUP_BUILDTYPE=Debug.
const outBin = path.join(msDir, 'worker', 'out', buildType, 'mediasoup-worker');

// Copy via temp file + rename: atomic for concurrent installs, and avoids ETXTBSY when the
// destination binary is currently running.
function install(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const tmp = `${to}.tmp-${process.pid}`;
  fs.copyFileSync(from, tmp);
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, to);
}

if (fs.existsSync(cachedBin)) {
  install(cachedBin, outBin);
  log(`mediasoup ${version} worker restored from cache ${cachedBin} in ${elapsed()}`);
  process.exit(0);
}

// 4. Build. Fail early with one line if the toolchain is missing (Debian: build-essential python3).
if (
  spawnSync('sh', ['-c', 'command -v make && command -v python3 && command -v g++'], { stdio: 'ignore' })
    .status !== 0
) {
  die(
    'building the mediasoup worker needs make, python3 and g++ (Debian: apt-get install build-essential python3).',
  );
}
fs.mkdirSync(cacheDir, { recursive: true });
const logPath = path.join(cacheDir, 'build.log');
const logStream = fs.createWriteStream(logPath);
const jobs = process.env.JOBS || String(os.availableParallelism?.() ?? os.cpus().length);
const env = {
  ...process.env,
  PYTHON: 'python3', // the patched gyp needs Python 3 (collections.abc); Makefile would prefer python2
  MEDIASOUP_BUILDTYPE: buildType,
  CORES: jobs, // the worker Makefile runs `make -j$(CORES)`
};
delete env.MEDIASOUP_WORKER_BIN; // when set, the Makefile's default target builds nothing
log(`building mediasoup ${version} worker (${buildType}, -j${jobs}); log: ${logPath}`);

const code = await new Promise((resolve) => {
  const child = spawn('make', ['-C', path.join(msDir, 'worker')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let compiled = 0;
  let partial = '';
  const onData = (chunk) => {
    logStream.write(chunk);
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop();
    for (const line of lines) {
      // Progress: one line per 100 compiled files (~1000 in all) and per linked executable,
      // so `npm --foreground-scripts` output stays short; everything else goes to the log.
      if (/^\s+(CC|CXX)\(target\)/.test(line) && ++compiled % 100 === 0) {
        log(`  ${elapsed()} ${compiled} files compiled`);
      }
      const linked = line.match(/^\s+LINK\(target\)\s+(\S+)/);
      if (linked) log(`  ${elapsed()} linked ${path.basename(linked[1])}`);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.on('error', (err) => {
    logStream.write(`\nspawn error: ${err.message}\n`);
    resolve(127);
  });
  child.on('close', (status) => resolve(status ?? 1));
});
await new Promise((resolve) => logStream.end(resolve));

if (code !== 0 || !fs.existsSync(outBin)) {
  const tail = fs.readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-40).join('\n');
  console.error(tail);
  die(
    `mediasoup ${version} worker build failed (make exit ${code}) after ${elapsed()}; full log: ${logPath}`,
  );
}
install(outBin, cachedBin);
log(`mediasoup ${version} worker built in ${elapsed()} and cached at ${cachedBin}`);
