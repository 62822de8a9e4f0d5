#!/usr/bin/env node
// Finds the system libev for a build from source (`build-native.mjs --system`)
// and fails with one clear message when its development files are missing.
// binding.gyp's `system` variant takes its flags from here (`--gyp-cflags`,
// `--gyp-libs`), so a bare node-gyp fails the same way.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const includeDirs = ['/usr/include', '/usr/local/include', '/opt/homebrew/include', '/opt/local/include'];
const libDirs = [
  '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib/arm-linux-gnueabihf',
  '/usr/lib64', '/usr/lib', '/usr/local/lib', '/opt/homebrew/lib', '/opt/local/lib',
];
const libNames = ['libev.so', 'libev.dylib'];

function pkgConfig(...args) {
  const result = spawnSync('pkg-config', [...args, 'libev'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

/** `{ header, library }` paths (or 'pkg-config'), each undefined when not found. */
export function findLibev() {
  if (pkgConfig('--exists') !== null) return { header: 'pkg-config', library: 'pkg-config' };
  const header = includeDirs.map((d) => path.join(d, 'ev.h')).find((f) => existsSync(f));
  const library = libDirs
    .flatMap((d) => libNames.map((n) => path.join(d, n)))
    .find((f) => existsSync(f));
  return { header, library };
}

/** The command that builds the addon from source against the system libev. */
export const buildFromSourceCommand = `node ${path.join(path.dirname(fileURLToPath(import.meta.url)), 'build-native.mjs')} --system`;

export function missingLibevMessage(found) {
  const missing = [!found.header && 'ev.h', !found.library && 'libev.so'].filter(Boolean).join(', ');
  return [
    `[@evkit/core-native] building from source needs the system libev's development files, not found (${missing}).`,
    '  Install them (and python3, make, g++), then run the build again:',
    '    Debian/Ubuntu:  apt-get install -y libev-dev',
    '    Fedora/RHEL:    dnf install -y libev-devel',
    '    macOS:          brew install libev',
    `    then:           ${buildFromSourceCommand}`,
    '  Prebuilt binaries need none of this: they exist for linux-x64 glibc (musl, arm64 and macOS are',
    '  planned; Windows is not supported).',
  ].join('\n');
}

// Flags for directories the compiler does not search on its own.
function extraDir(flag, file) {
  const dir = path.dirname(file);
  return dir.startsWith('/usr/') && !dir.startsWith('/usr/local/') ? [] : [`${flag}${dir}`];
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const found = findLibev();
  if (!found.header || !found.library) {
    console.error(`\n${missingLibevMessage(found)}\n`);
    process.exit(1);
  }
  const viaPkgConfig = found.library === 'pkg-config';
  if (process.argv.includes('--gyp-cflags')) {
    process.stdout.write(viaPkgConfig ? pkgConfig('--cflags') : extraDir('-I', found.header).join(' '));
  } else if (process.argv.includes('--gyp-libs')) {
    process.stdout.write(viaPkgConfig ? pkgConfig('--libs') : [...extraDir('-L', found.library), '-lev'].join(' '));
  }
}
