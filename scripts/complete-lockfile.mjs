#!/usr/bin/env node
// The npm registry this project's machines reach serves only the platform packages of the machines it
// serves (e.g. @biomejs/cli-linux-x64, not @biomejs/cli-darwin-arm64), so `npm install` writes a lock file
// without the other platforms' optional binaries, and `npm ci` then refuses that lock as out of sync.
// This adds the missing optional entries, with the os/cpu/libc their names declare, so `npm ci` skips
// them on other platforms here and fetches them where they exist. Run after changing dependencies:
//   npm install && node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const OS = [
  'android',
  'darwin',
  'freebsd',
  'linux',
  'netbsd',
  'openbsd',
  'openharmony',
  'sunos',
  'win32',
  'aix',
  'wasi',
];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'loong64', 'ppc64', 'riscv64', 's390x', 'wasm32'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const entry = {};
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p) || p === 'x86_64' || p === 'aarch64');
  if (os === undefined || cpu === undefined) return null;
  entry.cpu = [cpu === 'x86_64' ? 'x64' : cpu === 'aarch64' ? 'arm64' : cpu];
  entry.os = [os === 'wasi' ? 'wasi' : os];
  if (os === 'linux') entry.libc = [parts.some((p) => p.startsWith('musl')) ? 'musl' : 'glibc'];
  return entry;
}

let added = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  for (const [dep, range] of Object.entries(pkg.optionalDependencies ?? {})) {
    const prefix = key === '' ? '' : `${key}/`;
    if (lock.packages[`${prefix}node_modules/${dep}`] || lock.packages[`node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (platform === null || !/^\d+\.\d+\.\d+/.test(range)) {
      console.warn(`left alone: ${dep}@${range} (optional dependency of ${key || 'the project'})`);
      continue;
    }
    lock.packages[`node_modules/${dep}`] = { version: range, dev: pkg.dev, optional: true, ...platform };
    added += 1;
  }
}
const sorted = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
lock.packages = sorted;
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} optional platform entries added`);
