#!/usr/bin/env node
// Builds native/build/Release/evkit.node (Debug with --debug) with node-gyp,
// against the running Node's own headers when they are installed beside it.
//
// Which libev is linked:
//   default    libev 4.33 from libev-source.mjs, static, its symbols hidden:
//              what the prebuilt binary ships, so every test exercises it.
//   --system   the system libev (libev-dev / libev-devel / brew libev): the
//              build from source for platforms without a prebuilt binary, run
//              from a user's project as
//              `node node_modules/@evkit/core-native/scripts/build-native.mjs --system`.
// The loader prefers this build over the prebuilt one. Configures only when
// needed (the gyp file or the choice of libev changed); `--force` reconfigures.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLibev, missingLibevMessage } from './check-libev.mjs';
import { ensureLibev, libevPaths } from './libev-source.mjs';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const gypDir = path.join(pkgDir, 'native');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const libev = args.includes('--system') ? 'system' : 'static';
const debug = args.includes('--debug') ? ['--debug'] : [];

function die(message) {
  console.error(`\n${message}\n`);
  process.exit(1);
}

// A user's project has no node-gyp of its own: fall back to the one npm bundles.
function nodeGypPath() {
  let own;
  try {
    own = require.resolve('node-gyp/bin/node-gyp.js');
  } catch {}
  const npmDir = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  const bundled = path.join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  return [own, process.env.npm_config_node_gyp, bundled].find((file) => file && existsSync(file)) ??
    die('[@evkit/core-native] node-gyp not found (npm bundles it): `npm install -g node-gyp`, then set npm_config_node_gyp to its bin/node-gyp.js.');
}

// pkg-config found libev but names no header file: its usual places.
function systemHeader() {
  return ['/usr/include/ev.h', '/usr/local/include/ev.h', '/opt/homebrew/include/ev.h'].find((file) => existsSync(file));
}

function run(gypArgs) {
  const result = spawnSync(process.execPath, [nodeGypPath(), ...gypArgs], { stdio: 'inherit', cwd: gypDir });
  if (result.status !== 0) die(`[@evkit/core-native] node-gyp ${gypArgs[0]} failed (${result.error?.message ?? `exit ${result.status}`}).`);
}

// Only a build from source needs node-addon-api's headers: an optional peer
// dependency, so that installs of the prebuilt binary go without it.
try {
  require.resolve('node-addon-api');
} catch {
  die(
    '[@evkit/core-native] building from source needs node-addon-api\'s headers: in your project, run\n' +
      '  npm install --save-dev node-addon-api@8   (or pnpm add -D node-addon-api@8)\n' +
      'then this command again.',
  );
}

let header;
if (libev === 'system') {
  const found = findLibev();
  if (!found.header || !found.library) die(missingLibevMessage(found));
  header = found.header === 'pkg-config' ? systemHeader() : found.header;
} else {
  try {
    await ensureLibev();
  } catch (error) {
    die(error.message);
  }
  header = path.join(libevPaths.dir, 'ev.h');
}
// Other addons compile against the ev.h of the libev linked here (include/evkit.h).
if (header) copyFileSync(header, path.join(pkgDir, 'include', 'ev.h'));

const configureArgs = [...debug, '--', `-Devkit_libev=${libev}`];
if (!process.env.npm_config_nodedir) {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) configureArgs.unshift(`--nodedir=${prefix}`);
}
// node-gyp keeps no record of the -D variables it was configured with.
const stamp = path.join(gypDir, 'build', 'evkit-configure.json');
const wanted = JSON.stringify(configureArgs);
const configured = existsSync(stamp) ? readFileSync(stamp, 'utf8') : null;
if (args.includes('--force') || configured !== wanted ||
  statSync(path.join(gypDir, 'binding.gyp')).mtimeMs > statSync(stamp).mtimeMs) {
  run(['configure', ...configureArgs]);
  writeFileSync(stamp, wanted);
}
run(['build', ...debug, '-j', '2']);
const addon = path.join(gypDir, 'build', debug.length ? 'Debug' : 'Release', 'evkit.node');
console.error(`[@evkit/core-native] built ${addon} (libev: ${libev})`);
