#!/usr/bin/env node
// Runs `npm ci` in a folder when its node_modules is missing or was installed from a different
// package-lock.json, package.json or install script (`<folder>/scripts/*`, e.g. the engine's
// Baileys patch run as postinstall), compared by SHA-256 stamp. Called by the Maven build, so a fresh clone
// needs no manual npm step and repeated builds skip the reinstall.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const dir = resolve(process.argv[2] ?? '.');
const lock = join(dir, 'package-lock.json');
if (!existsSync(lock)) {
  console.error(`npm-ci-if-changed: ${lock} is missing`);
  process.exit(1);
}
const inputs = [lock, join(dir, 'package.json')];
const scripts = join(dir, 'scripts');
if (existsSync(scripts)) inputs.push(...readdirSync(scripts).sort().map((f) => join(scripts, f)));
const sha = createHash('sha256');
for (const f of inputs) if (existsSync(f)) sha.update(f.slice(dir.length)).update(readFileSync(f));
const hash = sha.digest('hex');
const stamp = join(dir, 'node_modules', '.lock-sha256');
if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash) {
  console.log(`npm-ci-if-changed: ${dir} is up to date`);
  process.exit(0);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
console.log(`npm-ci-if-changed: running npm ci in ${dir}`);
const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
if (r.status !== 0) {
  process.exit(r.status ?? 1);
}
writeFileSync(stamp, hash + '\n');
