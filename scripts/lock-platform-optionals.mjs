#!/usr/bin/env node
// Records in package-lock.json the platform-specific optional dependencies that `npm install`
// left out, so that `npm ci` accepts the lock. `node scripts/lock-platform-optionals.mjs`
//
// Why: native packages (rollup, unrs-resolver, msgpackr-extract...) list one optional package per
// platform. When the registry an install uses lacks some of those versions (a mirror that lags),
// `npm install` silently leaves them out of the lock, and `npm ci` then refuses the lock with
// "Missing: <name>@ from lock file". This adds each missing one, where npm would place it, with
// its `os`, `cpu` and `libc` read from its name, so that npm skips it on other platforms without
// fetching it. Nothing here queries the registry. Run it after an install that changed the lock,
// if `npm ci` complains, and commit the result.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lockPath = join(root, 'package-lock.json');
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

const systems = ['aix', 'android', 'darwin', 'freebsd', 'linux', 'netbsd', 'openbsd', 'openharmony', 'sunos', 'win32'];
const cpus = ['arm', 'arm64', 'ia32', 'loong64', 'mips64el', 'ppc64', 'riscv64', 's390x', 'x64', 'wasm32'];
const libcs = { gnu: 'glibc', gnueabihf: 'glibc', musl: 'musl', musleabihf: 'musl' };

/** `os`, `cpu` and `libc` of a platform package, from its name (`@rollup/rollup-linux-arm64-musl`). */
function platformOf(name) {
  const tokens = name.split('/').pop().split('-');
  const os = tokens.filter((token) => systems.includes(token));
  const cpu = tokens.filter((token) => cpus.includes(token));
  const libc = tokens.map((token) => libcs[token]).filter(Boolean);
  if (os.length !== 1 || cpu.length !== 1) return undefined;
  return libc.length === 1 ? { os, cpu, libc } : { os, cpu };
}

/** The lock locations a package at `from` looks in for `name`, nearest first. */
function lookups(from, name) {
  const places = [];
  let base = from;
  for (;;) {
    places.push(`${base === '' ? '' : `${base}/`}node_modules/${name}`);
    if (base === '') return places;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

const added = [];
for (const [from, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const places = lookups(from, name);
    const found = places.find((place) => packages[place] !== undefined);
    if (found !== undefined && (packages[found].version === spec || !/^\d+\.\d+\.\d+$/.test(spec))) continue;
    // npm places it as high as it can: above the nearest entry of another version, if any.
    const place = found === undefined ? places.at(-1) : places[places.indexOf(found) - 1];
    if (place === undefined || packages[place] !== undefined) continue;
    const platform = platformOf(name);
    if (platform === undefined) {
      console.error(`${name}@${spec} (for ${from}) is missing, and its platform cannot be read from its name`);
      process.exitCode = 1;
      continue;
    }
    packages[place] = { version: spec, ...(entry.dev ? { dev: true } : {}), optional: true, ...platform };
    added.push(`${place}@${spec}`);
  }
}

if (added.length > 0) {
  const sorted = Object.keys(packages).sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b, 'en')));
  lock.packages = Object.fromEntries(sorted.map((key) => [key, packages[key]]));
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
}
console.log(added.length === 0 ? 'Nothing missing.' : `Added ${added.length}:\n  ${added.join('\n  ')}`);
