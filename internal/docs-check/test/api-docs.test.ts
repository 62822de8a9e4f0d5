// The API reference (`pnpm run docs`: typedoc over every published package's entry
// point) builds without an error or a warning: no public member refers to a
// type that is not exported, no {@link} is broken, and every public member is
// documented (the undocumented ones are listed per package). Every package
// README that has an API points at its page of the output.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { workspacePackages } from '@evkit/test-utils/workspace';
import { isUndocumented, packageOf, runTypedoc, type TypedocRun } from '../src/typedoc-run.js';

// About 10 s on an idle machine, over a minute while the whole suite runs.
const TYPEDOC_LIMIT_MS = 300_000;

let run: TypedocRun;
beforeAll(async () => {
  run = await runTypedoc(TYPEDOC_LIMIT_MS);
}, TYPEDOC_LIMIT_MS + 10_000);
afterAll(() => rmSync(run.work, { recursive: true, force: true }));

it('typedoc builds the API reference without errors or warnings (undocumented members aside)', () => {
  const problems = run.diagnostics.filter((d) => !isUndocumented(d.message)).map((d) => `[${d.level}] ${d.message}`);
  expect(problems, run.output).toEqual([]);
  expect(run.status, run.output).toBe(0);
  expect(existsSync(join(run.out, 'index.html'))).toBe(true);
});

it('every public member is documented (the missing ones listed by package)', () => {
  const byPackage = new Map<string, string[]>();
  for (const { message } of run.diagnostics.filter((d) => isUndocumented(d.message))) {
    const name = packageOf(message);
    byPackage.set(name, [...(byPackage.get(name) ?? []), message.replace(/, defined in .*$/, '')]);
  }
  const total = [...byPackage.values()].reduce((sum, list) => sum + list.length, 0);
  const lines = [...byPackage].sort().map(([name, list]) => `  ${name}: ${list.length} (${list.join('; ')})`);
  expect(total, [`undocumented public members: ${total}`, ...lines].join('\n')).toBe(0);
});

// A package without TypeScript (core-native's prebuilt binary) has no page.
const documented = workspacePackages().filter(
  (pkg) => pkg.manifest.private !== true && existsSync(join(pkg.dir, 'tsconfig.json')),
);

it.each(documented.map((pkg) => [pkg.path, pkg] as const))('%s/README.md points at its API reference page', (_, pkg) => {
  const readme = readFileSync(join(pkg.dir, 'README.md'), 'utf8');
  const page = /`docs\/api\/([^`]+\.html)`/.exec(readme)?.[1];
  expect(page, `${pkg.path}/README.md names no docs/api/… page`).toBeDefined();
  expect(existsSync(join(run.out, page!)), `docs/api/${page} is not generated`).toBe(true);
  expect(readFileSync(join(run.out, page!), 'utf8')).toContain(pkg.manifest.name);
});
