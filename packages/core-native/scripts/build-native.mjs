#!/usr/bin/env node
// Builds build/Release/evkit.node against the running Node's own headers, so
// node-gyp never downloads anything, after checking that libev is installed.
// Configures only when needed; `--force` reconfigures.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLibev, missingLibevMessage } from './check-libev.mjs';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const found = findLibev();
if (!found.header || !found.library) {
  console.error(`\n${missingLibevMessage(found)}\n`);
  process.exit(1);
}

function nodeGypPath() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return process.env.npm_config_node_gyp ??
      path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  }
}

function run(args) {
  const result = spawnSync(process.execPath, [nodeGypPath(), ...args], { stdio: 'inherit', cwd: pkgDir });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const nodedirArgs = [];
if (!process.env.npm_config_nodedir) {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) nodedirArgs.push(`--nodedir=${prefix}`);
}

const debug = process.argv.includes('--debug') ? ['--debug'] : [];
const config = path.join(pkgDir, 'build', 'config.gypi');
const gypFile = path.join(pkgDir, 'binding.gyp');
if (process.argv.includes('--force') || !existsSync(config) || statSync(gypFile).mtimeMs > statSync(config).mtimeMs) {
  run(['configure', ...nodedirArgs, ...debug]);
}
run(['build', ...debug, '-j', '2']);
