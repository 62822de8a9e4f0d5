#!/usr/bin/env node
// A read-only npm registry on 127.0.0.1 for the tarballs in one folder, so
// that `npm install @evkit/loop` resolves versions, peer ranges and
// platform-specific optionalDependencies exactly as it will from npmjs.
// Usage: node registry.mjs <tarball dir> <port file>; writes the port it
// listens on to <port file>, serves until killed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';

const [dir, portFile] = process.argv.slice(2);
if (!dir || !portFile) {
  console.error('usage: node registry.mjs <tarball dir> <port file>');
  process.exit(2);
}

/** Package name -> { version -> manifest as the registry serves it }. */
const packages = new Map();
/** Tarball file name -> its bytes. */
const files = new Map();
for (const entry of readdirSync(dir).filter((name) => name.endsWith('.tgz'))) {
  const file = path.join(dir, entry);
  const bytes = readFileSync(file);
  const manifest = JSON.parse(execFileSync('tar', ['-xOzf', file, 'package/package.json'], { encoding: 'utf8' }));
  const versions = packages.get(manifest.name) ?? {};
  versions[manifest.version] = {
    ...manifest,
    _id: `${manifest.name}@${manifest.version}`,
    dist: {
      tarball: `/-/${entry}`,
      integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
      shasum: createHash('sha1').update(bytes).digest('hex'),
    },
  };
  packages.set(manifest.name, versions);
  files.set(entry, bytes);
}

function newest(versions) {
  return Object.keys(versions).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
}

const server = createServer((request, response) => {
  const url = decodeURIComponent(new URL(request.url ?? '/', 'http://registry').pathname);
  const origin = `http://${request.headers.host}`;
  if (url.startsWith('/-/') && files.has(url.slice(3))) {
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    response.end(files.get(url.slice(3)));
    return;
  }
  const versions = packages.get(url.slice(1));
  if (!versions) {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'not found' }));
    return;
  }
  const absolute = Object.fromEntries(
    Object.entries(versions).map(([version, manifest]) => [
      version,
      { ...manifest, dist: { ...manifest.dist, tarball: origin + manifest.dist.tarball } },
    ]),
  );
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ name: url.slice(1), 'dist-tags': { latest: newest(versions) }, versions: absolute }));
});

server.listen(0, '127.0.0.1', () => {
  writeFileSync(portFile, String(server.address().port));
});
