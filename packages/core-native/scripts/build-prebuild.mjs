#!/usr/bin/env node
// Release tooling (not published): builds the addon the way it ships (libev
// static, its symbols hidden, Release), copies it and libev's own LICENSE into
// packages/core-native-linux-x64-gnu, then checks the copy and prints what a
// user's system needs to load it. `--check` only checks what that package
// holds; its prepack runs that, so a tarball without a good binary cannot be
// packed.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { libevPaths } from './libev-source.mjs';

// The baseline the platform package's README and the loader's error state;
// a binary needing a newer glibc fails the check instead of quietly raising it.
const GLIBC_BASELINE = '2.34';

const scriptsDir = path.dirname(fileURLToPath(import.meta.url));
const pkgDir = path.resolve(scriptsDir, '..');
const platformDir = path.resolve(pkgDir, '..', 'core-native-linux-x64-gnu');
const addon = path.join(platformDir, 'evkit.node');
const license = path.join(platformDir, 'LIBEV-LICENSE');

function die(message) {
  console.error(`build-prebuild: ${message}`);
  process.exit(1);
}

function tool(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) die(`${command} ${args.join(' ')} failed: ${result.error?.message ?? result.stderr.trim()}`);
  return result.stdout;
}

const newest = (versions) => versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);

if (!process.argv.includes('--check')) {
  const glibc = process.report.getReport().header.glibcVersionRuntime;
  if (process.platform !== 'linux' || process.arch !== 'x64' || !glibc) die('builds the linux-x64 glibc binary only: run it there');
  const build = spawnSync(process.execPath, [path.join(scriptsDir, 'build-native.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) die('building the addon failed');
  copyFileSync(path.join(pkgDir, 'native', 'build', 'Release', 'evkit.node'), addon);
  copyFileSync(libevPaths.license, license);
}

for (const file of [addon, license]) {
  if (!existsSync(file)) die(`${file} is missing: run \`pnpm prepare-release\` first`);
}
const exported = tool('nm', ['-D', '--defined-only', addon]).split('\n').filter(Boolean).map((line) => line.split(' ').at(-1));
const libevExports = exported.filter((name) => name.startsWith('ev_'));
if (libevExports.length > 0) die(`libev symbols are exported: ${libevExports.join(', ')}`);
const others = exported.filter((name) => !/^(napi_register_module_v1|node_api_module_get_api_version_v1)$/.test(name));
if (others.length > 0) die(`exports more than its Node-API entry points (native/exports.map): ${others.join(', ')}`);
const needed = [...tool('objdump', ['-p', addon]).matchAll(/^\s*NEEDED\s+(\S+)/gm)].map((m) => m[1]);
const shared = needed.filter((lib) => /^lib(ev|stdc\+\+)\./.test(lib));
if (shared.length > 0) die(`links ${shared.join(', ')} dynamically; both must be static`);
const versions = tool('objdump', ['-T', addon]);
const glibc = newest([...versions.matchAll(/\bGLIBC_([\d.]+)/g)].map((m) => m[1]));
const cxx = [...new Set([...versions.matchAll(/\b(GLIBCXX|CXXABI)_[\d.]+/g)].map((m) => m[0]))];
if (cxx.length > 0) die(`needs the system libstdc++ (${cxx.join(', ')})`);
if (newest([glibc, GLIBC_BASELINE]) !== GLIBC_BASELINE) {
  die(`needs GLIBC_${glibc}, newer than the documented baseline ${GLIBC_BASELINE}`);
}
console.log(`build-prebuild: ${path.relative(process.cwd(), addon)}: ${statSync(addon).size} bytes`);
console.log(`build-prebuild: needs GLIBC_${glibc} at most, no GLIBCXX_/CXXABI_; links ${needed.join(', ')}`);
console.log(`build-prebuild: exports ${exported.join(', ')} and no ev_* symbol`);
