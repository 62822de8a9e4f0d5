// Versioning and manifests as a release would see them: the published
// packages carry package.base.json's shared fields and the root LICENSE, and
// a minor release of @evkit/core-native alone (simulated with `changeset
// version` on a copy of the workspace's manifests) moves no other package
// beyond a patch (but its platform packages, released with it), bumps no
// private package and warns about nothing.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT, readJson, workspacePackages, type Manifest } from '../workspace.js';

const packages = workspacePackages();
const published = packages.filter((pkg) => pkg.manifest.private !== true);
const sandbox = mkdtempSync(join(tmpdir(), 'evkit-release-'));
afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

type Versioned = Manifest & { version: string };

it('every published package carries the shared manifest fields and the root LICENSE', () => {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/sync-manifests.mjs'), '--check'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

it('peer and dependency ranges between @evkit packages span 0.x, so a 0.x minor stays in range', () => {
  for (const { manifest } of published) {
    const ranges = { ...manifest.dependencies, ...manifest.peerDependencies };
    for (const [name, range] of Object.entries(ranges)) {
      if (name.startsWith('@evkit/')) expect(range, `${manifest.name} → ${name}`).toMatch(/^(workspace:)?(0\.x|\*)$/);
    }
  }
});

// `changeset version` over every manifest takes seconds alone, and more than 20 s on a loaded machine.
it('a minor @evkit/core-native release leaves the other packages at most patch-bumped', () => {
  for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset/config.json']) {
    mkdirSync(dirname(join(sandbox, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(sandbox, file));
  }
  for (const pkg of packages) {
    mkdirSync(join(sandbox, pkg.path), { recursive: true });
    cpSync(join(pkg.dir, 'package.json'), join(sandbox, pkg.path, 'package.json'));
  }
  writeFileSync(join(sandbox, '.changeset/core-minor.md'), '---\n"@evkit/core-native": minor\n---\n\nA simulated release.\n');
  const r = spawnSync(join(REPO_ROOT, 'node_modules/.bin/changeset'), ['version'], { cwd: sandbox, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(`${r.stdout}${r.stderr}`).not.toMatch(/must depend on|warn/i);

  const before = new Map(packages.map((pkg) => [pkg.manifest.name, (pkg.manifest as Versioned).version]));
  // core-native's platform packages are released with it (a `fixed` group)
  const { fixed } = readJson<{ fixed: string[][] }>(join(REPO_ROOT, '.changeset/config.json'));
  const withCore = fixed.find((group) => group.includes('@evkit/core-native')) ?? ['@evkit/core-native'];
  for (const pkg of packages) {
    const after = readJson<Versioned>(join(sandbox, pkg.path, 'package.json')).version;
    const was = before.get(pkg.manifest.name)!;
    const [major, minor, patch] = was.split('.').map(Number) as [number, number, number];
    if (withCore.includes(pkg.manifest.name)) expect(after, pkg.manifest.name).toBe(`${major}.${minor + 1}.0`);
    else if (pkg.manifest.private === true) expect(after, pkg.manifest.name).toBe(was);
    else expect([`${major}.${minor}.${patch}`, `${major}.${minor}.${patch + 1}`], pkg.manifest.name).toContain(after);
  }
}, 120_000);
