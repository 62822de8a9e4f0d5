#!/usr/bin/env node
// Builds native/build/Release/curl_multi.node with node-gyp, against the
// running Node's own headers when they are installed beside it (node-gyp
// would otherwise download them). Needs libcurl's development files
// (Debian: libcurl4-openssl-dev) and evkit's include dir (@evkit/core-native).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const gypDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native');
const require = createRequire(import.meta.url);

if (spawnSync('curl-config', ['--libs']).status !== 0) {
  console.error('\n[example-native-interop] needs libcurl\'s development files: apt-get install libcurl4-openssl-dev\n');
  process.exit(1);
}
const prefix = path.resolve(path.dirname(process.execPath), '..');
const nodedir = existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
const result = spawnSync(process.execPath, [require.resolve('node-gyp/bin/node-gyp.js'), 'rebuild', '-j', '2', ...nodedir], {
  cwd: gypDir,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
