#!/usr/bin/env node
// pnpm release [--dry-run] [--prebuilt]: builds what the tarballs contain
// (pnpm prepare-release, the prebuilt addon included; with --prebuilt the
// binary already in the platform package, e.g. a CI artifact built on an older
// distribution, is only checked), checks the manifests, then
// publishes every package whose version is not on the registry yet
// (changesets publish, which tags git too). --dry-run publishes nothing and
// prints exactly what would go out: each package, its version, whether the
// registry has it already, and the tarball's size and file count, and which
// platform packages lack the binary a real release needs.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLATFORMS } from '../packages/core-native/scripts/platforms.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dryRun = process.argv.includes('--dry-run');
const prebuilt = process.argv.includes('--prebuilt');

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (r.status !== 0) {
    console.error(`release: \`${command} ${args.join(' ')}\` failed (${r.status ?? r.signal})`);
    process.exit(1);
  }
  return r;
}

/** Whether the registry already has name@version; null when it cannot be asked. */
function published(name, version) {
  const r = spawnSync('npm', ['view', `${name}@${version}`, 'version'], { cwd: root, encoding: 'utf8' });
  if (r.status === 0) return r.stdout.trim() === version;
  return /E404|is not in this registry/.test(r.stderr) ? false : null;
}

if (prebuilt) {
  run('pnpm', ['build']);
} else {
  run('pnpm', ['prepare-release']);
}
run(process.execPath, ['scripts/sync-manifests.mjs', '--check']);
run(process.execPath, ['packages/core-native/scripts/platform-packages.mjs', '--check']);
// A release carries every platform's binary (the workflow's prebuild matrix
// builds them); one machine builds only its own.
const missing = PLATFORMS.filter(
  (p) => spawnSync(process.execPath, ['packages/core-native/scripts/build-prebuild.mjs', '--check', '--target', p.id], { cwd: root }).status !== 0,
);
if (!dryRun) {
  if (missing.length > 0) {
    console.error(`release: no good binary for ${missing.map((p) => p.id).join(', ')}; a release needs every platform (the workflow's prebuild jobs)`);
    process.exit(1);
  }
  run('pnpm', ['exec', 'changeset', 'publish']);
  process.exit(0);
}

const summaryFile = path.join(root, 'pnpm-publish-summary.json');
rmSync(summaryFile, { force: true });
const skip = missing.flatMap((p) => ['--filter', `!@evkit/core-native-${p.id}`]);
run('pnpm', ['-r', '--filter', './packages/*', ...skip, 'publish', '--dry-run', '--no-git-checks', '--report-summary'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
const { publishedPackages } = JSON.parse(readFileSync(summaryFile, 'utf8'));
rmSync(summaryFile, { force: true });
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log('\nrelease --dry-run: what `pnpm release` would publish\n');
console.log(['package', 'registry', 'tarball', 'unpacked', 'files'].join('\t'));
for (const pkg of publishedPackages.sort((a, b) => a.name.localeCompare(b.name))) {
  const state = published(pkg.name, pkg.version);
  const registry = state === null ? 'unknown (registry unreachable)' : state ? 'already there: skipped' : 'new: published';
  console.log([`${pkg.name}@${pkg.version}`, registry, kib(pkg.size), kib(pkg.unpackedSize), pkg.files?.length ?? '?'].join('\t'));
}
for (const p of missing) {
  console.log(`@evkit/core-native-${p.id}\tnot built here: a release needs its binary (the workflow's prebuild job for ${p.id})`);
}
