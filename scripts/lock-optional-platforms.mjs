#!/usr/bin/env node
// Our package mirror serves only the Linux builds of platform-specific packages (e.g.
// @swc/core-darwin-arm64 answers 404), so `npm install` leaves the other platforms out of
// package-lock.json, and `npm ci` then refuses the lock as "Missing: ... from lock file".
// This adds a lock entry for each such optional dependency, marked optional and limited to
// the os/cpu its name states, so npm ci skips it on Linux without fetching anything.
// Run it after every `npm install` that changes the lock.
import { readFileSync, writeFileSync } from 'node:fs';

const OS = [
  'darwin',
  'linux',
  'win32',
  'freebsd',
  'android',
  'openbsd',
  'sunos',
  'aix',
  'netbsd',
  'openharmony',
];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'];
const ALIASES = {
  win: 'win32',
  windows: 'win32',
  macos: 'darwin',
  mac: 'darwin',
  armv7: 'arm',
  gnueabihf: 'arm',
  x86_64: 'x64',
  amd64: 'x64',
  aarch64: 'arm64',
  ppc64le: 'ppc64',
};

function platformOf(name) {
  const parts = name
    .toLowerCase()
    .split(/[/@_-]+/)
    .map((p) => ALIASES[p] ?? p);
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p));
  return { ...(os ? { os: [os] } : {}), ...(cpu ? { cpu: [cpu] } : {}) };
}

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    // npm resolves a dependency next to its parent first, then up the tree.
    const base = path ? `${path}/node_modules/` : 'node_modules/';
    const candidates = [`${base}${dep}`, `node_modules/${dep}`];
    if (candidates.some((c) => lock.packages[c])) continue;
    const platform = platformOf(dep);
    if (!platform.os && !platform.cpu) continue; // not a platform build: leave it to npm
    lock.packages[`node_modules/${dep}`] = {
      version: String(version).replace(/^[\^~=]/, ''),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...platform,
    };
    added += 1;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-optional-platforms: added ${added} platform-only optional entries`);
