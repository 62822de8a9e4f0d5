#!/usr/bin/env node
// Builds native/build/Release/evkit_testing.node (the test-only addon) against
// the running Node's own headers. Run by this private package's `build` script
// (turbo: `pnpm build`, and before `pnpm test`), never by an install: the
// binding.gyp sits in native/, not at the package root, so no package manager
// runs its implicit `node-gyp rebuild` on install. It links the same libev
// build as evkit.node (@evkit/core-native's libev-source.mjs), statically.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const gypDir = path.join(pkgDir, 'native');
const require = createRequire(import.meta.url);

function run(args) {
  const result = spawnSync(process.execPath, [require.resolve('node-gyp/bin/node-gyp.js'), ...args], {
    stdio: 'inherit',
    cwd: gypDir,
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const nodedirArgs = [];
if (!process.env.npm_config_nodedir) {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) nodedirArgs.push(`--nodedir=${prefix}`);
}
const coreDir = path.dirname(require.resolve('@evkit/core-native/package.json'));
const { ensureLibev } = await import(pathToFileURL(path.join(coreDir, 'scripts', 'libev-source.mjs')).href);
const libev = await ensureLibev();
const configureArgs = [...nodedirArgs, '--', `-Dlibev_include=${libev.dir}`, `-Dlibev_library=${libev.library}`];
// node-gyp keeps no record of the -D variables it was configured with.
const stamp = path.join(gypDir, 'build', 'evkit-configure.json');
const configured = existsSync(stamp) ? readFileSync(stamp, 'utf8') : null;
const gypFile = path.join(gypDir, 'binding.gyp');
if (process.argv.includes('--force') || configured !== JSON.stringify(configureArgs) ||
  statSync(gypFile).mtimeMs > statSync(stamp).mtimeMs) {
  run(['configure', ...configureArgs]);
  writeFileSync(stamp, JSON.stringify(configureArgs));
}
run(['build', '-j', '2']);
