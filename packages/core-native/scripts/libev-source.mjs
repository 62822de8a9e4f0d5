#!/usr/bin/env node
// Provides the libev that evkit links by default: the libev 4.33 release tarball
// from Debian's archive (sha256-checked), built once into a static,
// position-independent libev.a under .libev/ (gitignored). The tarball is
// downloaded at build time because libev's source is not part of this repo.
// libev's asserts stay on (no -DNDEBUG), as in Debian's build: evkit relies on
// assert-enabled behaviour, and the prebuilt binary must be the tested one.
//
// CLI: `node scripts/libev-source.mjs` builds it if needed; `--include` or
// `--library` also prints the header directory or the archive's path (for
// binding.gyp). Progress goes to stderr, so stdout holds only that path.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const LIBEV_VERSION = '4.33';
const TARBALL_URL = `http://deb.debian.org/debian/pool/main/libe/libev/libev_${LIBEV_VERSION}.orig.tar.gz`;
const TARBALL_SHA256 = '507eb7b8d1015fbec5b935f34ebed15bf346bed04a11ab82b8eee848c4205aea';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = path.join(pkgDir, '.libev');
const tarball = path.join(cacheDir, path.basename(new URL(TARBALL_URL).pathname));
const sourceDir = path.join(cacheDir, `libev-${LIBEV_VERSION}`);

/** Where the built libev lives: headers in `dir`, the archive, and libev's own license. */
export const libevPaths = {
  dir: sourceDir,
  library: path.join(sourceDir, '.libs', 'libev.a'),
  license: path.join(sourceDir, 'LICENSE'),
};

const log = (line) => process.stderr.write(`[libev] ${line}\n`);

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function fail(message) {
  throw new Error(`[@evkit/core-native] ${message}`);
}

async function download() {
  log(`downloading ${TARBALL_URL}`);
  let body;
  try {
    const response = await fetch(TARBALL_URL);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    body = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    fail(
      `could not download libev ${LIBEV_VERSION} from ${TARBALL_URL}: ${error.cause?.message ?? error.message}\n` +
        `  Offline? Put that file at ${tarball} and run the build again.`,
    );
  }
  const actual = createHash('sha256').update(body).digest('hex');
  if (actual !== TARBALL_SHA256) {
    fail(`${TARBALL_URL} has sha256 ${actual}, expected ${TARBALL_SHA256}; refusing to build from it.`);
  }
  mkdirSync(cacheDir, { recursive: true });
  const partial = `${tarball}.${process.pid}.part`;
  writeFileSync(partial, body);
  renameSync(partial, tarball);
}

function run(command, args, cwd, logFile) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  writeFileSync(logFile, `$ ${command} ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}`, { flag: 'a' });
  if (result.status !== 0) {
    const reason = result.error ? result.error.message : `exit ${result.status}`;
    const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-25).join('\n');
    fail(`building libev failed at \`${command} ${args.join(' ')}\` (${reason}); log: ${logFile}\n${tail}`);
  }
}

// Builds in a private directory and renames it into place, so an interrupted
// or concurrent build never leaves a half-built tree at sourceDir.
function build() {
  const work = path.join(cacheDir, `work-${process.pid}`);
  const logFile = path.join(cacheDir, 'build.log');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(logFile, '');
  log(`building libev ${LIBEV_VERSION} (static, -fPIC, asserts on; log: ${logFile})`);
  const started = Date.now();
  run('tar', ['xzf', tarball, '-C', work], cacheDir, logFile);
  const built = path.join(work, `libev-${LIBEV_VERSION}`);
  // --disable-shared: only libev.a is used, so libtool need not compile twice.
  run('./configure', ['CFLAGS=-O2 -fPIC', '--disable-shared', '--enable-static'], built, logFile);
  run('make', [], built, logFile);
  rmSync(sourceDir, { recursive: true, force: true });
  try {
    renameSync(built, sourceDir);
  } catch (error) {
    if (!upToDate()) throw error;
  }
  rmSync(work, { recursive: true, force: true });
  log(`built ${libevPaths.library} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function upToDate() {
  return existsSync(tarball) && existsSync(libevPaths.library) &&
    statSync(libevPaths.library).mtimeMs > statSync(tarball).mtimeMs;
}

/** Downloads and builds libev unless the cached libev.a is newer than the cached tarball. */
export async function ensureLibev() {
  if (upToDate()) return libevPaths;
  if (!existsSync(tarball) || sha256(tarball) !== TARBALL_SHA256) await download();
  build();
  return libevPaths;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  try {
    const { dir, library } = await ensureLibev();
    if (process.argv.includes('--include')) process.stdout.write(dir);
    else if (process.argv.includes('--library')) process.stdout.write(library);
  } catch (error) {
    console.error(`\n${error.message}\n`);
    process.exit(1);
  }
}
