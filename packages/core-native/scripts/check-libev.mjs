#!/usr/bin/env node
// Fails with one clear message when libev's development files are missing.
// Used by build-native.mjs and by binding.gyp (so a bare node-gyp fails the same way).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const includeDirs = ['/usr/include', '/usr/local/include', '/opt/homebrew/include', '/opt/local/include'];
const libDirs = [
  '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib/arm-linux-gnueabihf',
  '/usr/lib64', '/usr/lib', '/usr/local/lib', '/opt/homebrew/lib', '/opt/local/lib',
];
const libNames = ['libev.so', 'libev.dylib'];

export function findLibev() {
  const pc = spawnSync('pkg-config', ['--exists', 'libev'], { stdio: 'ignore' });
  if (pc.status === 0) return { header: 'pkg-config', library: 'pkg-config' };
  const header = includeDirs.map((d) => path.join(d, 'ev.h')).find((f) => existsSync(f));
  const library = libDirs
    .flatMap((d) => libNames.map((n) => path.join(d, n)))
    .find((f) => existsSync(f));
  return { header, library };
}

export function missingLibevMessage(found) {
  const missing = [!found.header && 'ev.h', !found.library && 'libev.so'].filter(Boolean).join(', ');
  return [
    `[@evkit/core-native] libev development files not found (${missing}).`,
    '  Install them, then reinstall:',
    '    Debian/Ubuntu:  apt-get install -y libev-dev',
    '    Fedora/RHEL:    dnf install -y libev-devel',
    '    macOS:          brew install libev',
  ].join('\n');
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const found = findLibev();
  if (!found.header || !found.library) {
    console.error(`\n${missingLibevMessage(found)}\n`);
    process.exit(1);
  }
  if (process.argv.includes('--gyp')) process.stdout.write('ok');
}
