#!/usr/bin/env node
// Writes the shared fields of package.base.json into every published package's
// package.json (and the root LICENSE into each package), so the packages stay
// identical where they should. `--check` changes nothing and exits 1, listing
// what differs. A package keeps its own extra `files` entries and may replace
// a default script (the platform package packs a binary, not TypeScript).
// Package folders given as arguments limit it to those.
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--')).map((dir) => path.normalize(dir));
const base = JSON.parse(readFileSync(path.join(root, 'package.base.json'), 'utf8'));
delete base['//'];
const license = readFileSync(path.join(root, 'LICENSE'), 'utf8');

/** The published packages: every non-private package under packages/. */
function publishedPackages() {
  return readdirSync(path.join(root, 'packages'))
    .map((name) => path.join('packages', name))
    .filter((dir) => existsSync(path.join(root, dir, 'package.json')))
    .filter((dir) => JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')).private !== true);
}

function withDir(value, dir) {
  return JSON.parse(JSON.stringify(value).replaceAll('{dir}', dir));
}

/** The package.json `pkg` should be: the base's fields over its own, lists merged. */
function synced(pkg, dir) {
  const out = { ...pkg };
  for (const [key, value] of Object.entries(withDir(base, dir))) {
    if (key === 'files') out.files = [...value, ...(pkg.files ?? []).filter((f) => !value.includes(f))];
    else if (key === 'scripts') out.scripts = { ...value, ...(pkg.scripts ?? {}) }; // a package may replace a default
    else out[key] = value;
  }
  return out;
}

const problems = [];
for (const dir of publishedPackages().filter((d) => only.length === 0 || only.includes(d))) {
  const file = path.join(root, dir, 'package.json');
  const text = readFileSync(file, 'utf8');
  const want = `${JSON.stringify(synced(JSON.parse(text), dir), null, 2)}\n`;
  if (want !== text) {
    if (check) problems.push(`${file}: differs from package.base.json`);
    else writeFileSync(file, want);
  }
  const licenseFile = path.join(root, dir, 'LICENSE');
  if (!existsSync(licenseFile) || readFileSync(licenseFile, 'utf8') !== license) {
    if (check) problems.push(`${licenseFile}: missing or not the root LICENSE`);
    else writeFileSync(licenseFile, license);
  }
}
if (problems.length > 0) {
  console.error(`${problems.join('\n')}\nRun \`node scripts/sync-manifests.mjs\` to fix.`);
  process.exit(1);
}
