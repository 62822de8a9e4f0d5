// The lists that package.json files already imply, kept from drifting: each
// tsconfig's `references` are the @evkit packages its package builds against,
// the root tsconfig builds every published package, every @evkit import has a
// dependency behind it, and the vitest aliases (derived from the `exports`
// maps) point at sources that exist.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evkitAliases } from '../vitest-aliases.js';
import { REPO_ROOT, evkitDependencies, readJson, workspacePackages, type WorkspacePackage } from '../workspace.js';

interface TsConfig {
  compilerOptions?: { noEmit?: boolean };
  references?: Array<{ path: string }>;
}

const packages = workspacePackages();
const byDir = new Map(packages.map((pkg) => [pkg.dir, pkg]));

/** The package names a tsconfig's references point at (a reference to no workspace package is an error). */
function referencedPackages(configDir: string, config: TsConfig): string[] {
  return (config.references ?? [])
    .map(({ path }) => {
      const pkg = byDir.get(resolve(configDir, path));
      if (pkg === undefined) throw new Error(`${relative(REPO_ROOT, configDir)}/tsconfig.json: reference ${path} is not a workspace package`);
      return pkg.manifest.name;
    })
    .sort();
}

/** The .ts/.mts/.mjs files of a folder, recursively (node_modules and dist left out). */
function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|mjs)$/.test(entry)) out.push(path);
  }
  return out;
}

/** The lines of a source file that are not comments: a TSDoc `@example` imports what the file does not. */
function codeLines(text: string): string {
  let inBlock = false;
  return text
    .split('\n')
    .filter((line) => {
      const start = line.trimStart();
      if (inBlock) {
        inBlock = !start.includes('*/');
        return false;
      }
      if (start.startsWith('/*')) {
        inBlock = !start.includes('*/', 2);
        return false;
      }
      return !start.startsWith('//');
    })
    .join('\n');
}

/** The @evkit packages a file imports (static and dynamic imports, `export … from`). */
function importedPackages(file: string): string[] {
  const text = codeLines(readFileSync(file, 'utf8'));
  const names = new Set<string>();
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"](@evkit\/[a-z0-9-]+)/g)) names.add(match[1]!);
  return [...names];
}

const built = packages.filter((pkg) => {
  const file = join(pkg.dir, 'tsconfig.json');
  return existsSync(file) && readJson<TsConfig>(file).compilerOptions?.noEmit !== true;
});

describe('tsconfig references follow package.json', () => {
  it.each(built.map((pkg) => [pkg.path, pkg] as const))('%s', (_, pkg: WorkspacePackage) => {
    const config = readJson<TsConfig>(join(pkg.dir, 'tsconfig.json'));
    // What its sources may import: dependencies and peer dependencies (devDependencies are for tests).
    const wanted = evkitDependencies(pkg.manifest, ['dependencies', 'peerDependencies']);
    expect(referencedPackages(pkg.dir, config), `references of ${pkg.path}/tsconfig.json`).toEqual(wanted);
  });

  it('the root tsconfig builds every published TypeScript package and nothing that is not a workspace package', () => {
    const root = referencedPackages(REPO_ROOT, readJson<TsConfig>(join(REPO_ROOT, 'tsconfig.json')));
    // A prebuilt-binary package (core-native-<platform>) has no TypeScript to build.
    const published = packages
      .filter((pkg) => pkg.manifest.private !== true && existsSync(join(pkg.dir, 'tsconfig.json')))
      .map((pkg) => pkg.manifest.name);
    expect(published.filter((name) => !root.includes(name)), 'missing from tsconfig.json references').toEqual([]);
  });
});

describe('every @evkit import has a dependency behind it', () => {
  // Tests resolve @evkit/* through the vitest aliases, but fixtures, workers and
  // the published code resolve it through node_modules: only a declared
  // dependency is there. test-utils is the exception: it runs only under vitest.
  const checked = packages.filter((pkg) => pkg.manifest.name !== '@evkit/test-utils');
  it.each(checked.map((pkg) => [pkg.path, pkg] as const))('%s', (_, pkg: WorkspacePackage) => {
    const declared = new Set([
      pkg.manifest.name,
      ...evkitDependencies(pkg.manifest, ['dependencies', 'peerDependencies', 'devDependencies']),
    ]);
    // A private package (bench, fuzz) is never installed elsewhere: its devDependencies are there for its sources too.
    const shipped = pkg.manifest.private
      ? declared
      : new Set([pkg.manifest.name, ...evkitDependencies(pkg.manifest, ['dependencies', 'peerDependencies'])]);
    const missing: string[] = [];
    for (const file of [...sourceFiles(join(pkg.dir, 'src')), ...sourceFiles(join(pkg.dir, 'lib'))]) {
      for (const name of importedPackages(file)) if (!shipped.has(name)) missing.push(`${relative(pkg.dir, file)}: ${name} (not a dependency)`);
    }
    for (const file of sourceFiles(join(pkg.dir, 'test'))) {
      for (const name of importedPackages(file)) if (!declared.has(name)) missing.push(`${relative(pkg.dir, file)}: ${name} (not even a devDependency)`);
    }
    expect(missing).toEqual([]);
  });
});

describe('vitest aliases', () => {
  it('cover every export of every published package, each pointing at an existing source', () => {
    const specifiers = evkitAliases.map(({ find }) => find.source.replace(/^\^|\$$/g, '').replace(/\\/g, ''));
    for (const pkg of packages.filter((p) => p.manifest.private !== true)) {
      for (const subpath of Object.keys(pkg.manifest.exports ?? {})) {
        if (subpath.endsWith('.json')) continue;
        expect(specifiers).toContain(subpath === '.' ? pkg.manifest.name : `${pkg.manifest.name}${subpath.slice(1)}`);
      }
    }
    for (const { replacement } of evkitAliases) expect(existsSync(replacement), replacement).toBe(true);
  });

  it('match exactly: @evkit/loop does not capture @evkit/loop/internal', () => {
    const loop = evkitAliases.find(({ find }) => find.test('@evkit/loop'))!;
    expect(loop.find.test('@evkit/loop/internal')).toBe(false);
    expect(loop.replacement).toMatch(/packages\/loop\/src\/index\.ts$/);
  });
});
