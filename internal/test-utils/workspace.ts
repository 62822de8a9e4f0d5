// The workspace as its package.json files describe it: which packages there
// are, what they export and what they depend on. The vitest aliases are derived
// from it, and test/workspace.test.ts checks the hand-written lists (tsconfig
// references) against it, so neither can drift from package.json.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Manifest {
  name: string;
  private?: boolean;
  exports?: Record<string, string | Record<string, string>>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  keywords?: string[];
}

export interface WorkspacePackage {
  /** Absolute path of the package's folder. */
  dir: string;
  /** Its path from the repository root, e.g. `packages/timer`. */
  path: string;
  manifest: Manifest;
}

export function readJson<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** The entries of pnpm-workspace.yaml's `packages:` list (plain entries and `dir/*` globs). */
function workspaceGlobs(): string[] {
  const yaml = readFileSync(join(REPO_ROOT, 'pnpm-workspace.yaml'), 'utf8');
  const globs: string[] = [];
  let inList = false;
  for (const line of yaml.split('\n')) {
    if (/^packages:\s*$/.test(line)) inList = true;
    else if (/^\S/.test(line)) inList = false;
    else if (inList) {
      const entry = /^\s*-\s*["']?([^"'#\s]+)["']?/.exec(line);
      if (entry) globs.push(entry[1]!);
    }
  }
  return globs;
}

/** Every package of the workspace (a folder with a package.json that a workspace entry names). */
export function workspacePackages(): WorkspacePackage[] {
  const paths: string[] = [];
  for (const glob of workspaceGlobs()) {
    if (glob.endsWith('/*')) {
      const parent = glob.slice(0, -2);
      for (const child of readdirSync(join(REPO_ROOT, parent)).sort()) paths.push(`${parent}/${child}`);
    } else {
      paths.push(glob);
    }
  }
  return paths
    .filter((path) => existsSync(join(REPO_ROOT, path, 'package.json')))
    .map((path) => {
      const dir = join(REPO_ROOT, path);
      return { dir, path, manifest: readJson<Manifest>(join(dir, 'package.json')) };
    });
}

/** The @evkit/* packages `manifest` lists in the given dependency fields. */
export function evkitDependencies(
  manifest: Manifest,
  fields: Array<'dependencies' | 'peerDependencies' | 'devDependencies'>,
): string[] {
  const names = new Set<string>();
  for (const field of fields) {
    for (const name of Object.keys(manifest[field] ?? {})) if (name.startsWith('@evkit/')) names.add(name);
  }
  return [...names].sort();
}

/**
 * The TypeScript source behind an export target: a built file `./dist/X.js`
 * comes from `src/X.ts` or `lib/X.ts`; any other target is its own source.
 */
export function sourceOf(pkg: WorkspacePackage, target: string): string {
  const built = /^\.\/dist\/(.+)\.js$/.exec(target);
  if (built === null) return join(pkg.dir, target);
  for (const folder of ['src', 'lib']) {
    const file = join(pkg.dir, folder, `${built[1]}.ts`);
    if (existsSync(file)) return file;
  }
  throw new Error(`${pkg.manifest.name}: no src/ or lib/ source for ${target}`);
}

/** `[specifier, source file]` for every export of every workspace package, e.g. `['@evkit/loop/internal', …/loop/src/internal.ts]`. */
export function exportedSources(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const pkg of workspacePackages()) {
    for (const [subpath, entry] of Object.entries(pkg.manifest.exports ?? {})) {
      if (subpath.endsWith('.json')) continue;
      const target = typeof entry === 'string' ? entry : (entry.import ?? entry.default);
      if (target === undefined) continue;
      out.push([subpath === '.' ? pkg.manifest.name : `${pkg.manifest.name}${subpath.slice(1)}`, sourceOf(pkg, target)]);
    }
  }
  return out;
}
