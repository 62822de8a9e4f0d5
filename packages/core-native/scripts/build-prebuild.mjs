#!/usr/bin/env node
// Release tooling (not published): builds the addon the way it ships (libev
// static, its symbols hidden, Release) for this machine's platform, copies it
// and libev's own LICENSE into packages/core-native-<platform>, then checks
// the copy and prints what a user's system needs to load it. `--check` only
// checks what a platform package holds (`--target <id>`: which one; by
// default this machine's); its prepack runs that, so a tarball without a good
// binary cannot be packed. The platforms: scripts/platforms.mjs.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { libevPaths } from './libev-source.mjs';
import { PLATFORMS, currentPlatformId } from './platforms.mjs';

const ENTRY_POINTS = ['napi_register_module_v1', 'node_api_module_get_api_version_v1'];

const scriptsDir = path.dirname(fileURLToPath(import.meta.url));
const pkgDir = path.resolve(scriptsDir, '..');
const args = process.argv.slice(2);
const targetId = args.includes('--target') ? args[args.indexOf('--target') + 1] : currentPlatformId();
const platform = PLATFORMS.find((p) => p.id === targetId);
const platformDir = path.resolve(pkgDir, '..', `core-native-${targetId}`);
const addon = path.join(platformDir, 'evkit.node');
const license = path.join(platformDir, 'LIBEV-LICENSE');

function die(message) {
  console.error(`build-prebuild: ${message}`);
  process.exit(1);
}

function tool(command, toolArgs) {
  const result = spawnSync(command, toolArgs, { encoding: 'utf8' });
  if (result.status !== 0) die(`${command} ${toolArgs.join(' ')} failed: ${result.error?.message ?? result.stderr.trim()}`);
  return result.stdout;
}

const newest = (versions) => versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);

if (platform === undefined) {
  die(`no prebuilt package for ${targetId}; the platforms are ${PLATFORMS.map((p) => p.id).join(', ')}`);
}
if (!args.includes('--check')) {
  if (targetId !== currentPlatformId()) die(`builds the ${currentPlatformId()} binary here, not ${targetId}: run it there`);
  const build = spawnSync(process.execPath, [path.join(scriptsDir, 'build-native.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) die('building the addon failed');
  copyFileSync(path.join(pkgDir, 'native', 'build', 'Release', 'evkit.node'), addon);
  copyFileSync(libevPaths.license, license);
}

for (const file of [addon, license]) {
  if (!existsSync(file)) die(`${file} is missing: run \`pnpm prepare-release\` on ${targetId} first`);
}

// Mach-O: exported names carry a leading underscore; libraries come from otool.
const macho = platform.os === 'darwin';
const exported = (macho ? tool('nm', ['-gU', addon]) : tool('nm', ['-D', '--defined-only', addon]))
  .split('\n')
  .filter(Boolean)
  .map((line) => line.split(' ').at(-1).replace(macho ? /^_/ : /^$/, ''));
const libevExports = exported.filter((name) => name.startsWith('ev_'));
if (libevExports.length > 0) die(`libev symbols are exported: ${libevExports.join(', ')}`);
const others = exported.filter((name) => !ENTRY_POINTS.includes(name));
if (others.length > 0) die(`exports more than its Node-API entry points (native/exports.*): ${others.join(', ')}`);
const needed = macho
  ? tool('otool', ['-L', addon]).split('\n').slice(1).map((line) => line.trim().split(' ')[0]).filter(Boolean)
  : [...tool('objdump', ['-p', addon]).matchAll(/^\s*NEEDED\s+(\S+)/gm)].map((m) => m[1]);
const shared = needed.filter((lib) => /(^|\/)lib(ev|stdc\+\+)[.-]/.test(lib));
if (shared.length > 0) die(`links ${shared.join(', ')} dynamically; both must be static`);
let glibc = null;
if (!macho) {
  const versions = tool('objdump', ['-T', addon]);
  glibc = newest([...versions.matchAll(/\bGLIBC_([\d.]+)/g)].map((m) => m[1]));
  const cxx = [...new Set([...versions.matchAll(/\b(GLIBCXX|CXXABI)_[\d.]+/g)].map((m) => m[0]))];
  if (cxx.length > 0) die(`needs the system libstdc++ (${cxx.join(', ')})`);
  if (platform.libc === 'musl' && glibc !== undefined) die(`a musl binary that needs GLIBC_${glibc}: built against glibc`);
  if (platform.libc === 'glibc' && newest([glibc, platform.glibc]) !== platform.glibc) {
    die(`needs GLIBC_${glibc}, newer than the documented baseline ${platform.glibc}`);
  }
}
console.log(`build-prebuild: ${path.relative(process.cwd(), addon)}: ${statSync(addon).size} bytes`);
const libc = platform.libc === 'glibc' ? `needs GLIBC_${glibc} at most, no GLIBCXX_/CXXABI_; ` : '';
console.log(`build-prebuild: ${targetId}: ${libc}links ${needed.join(', ')}`);
console.log(`build-prebuild: exports ${exported.join(', ')} and no ev_* symbol`);
