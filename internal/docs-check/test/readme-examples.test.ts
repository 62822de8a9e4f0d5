// Every JavaScript and TypeScript example in the root README and the packages'
// READMEs runs as written against the built packages and exits 0: a reader who
// pastes one into a file gets a working program. Blocks marked
// `<!-- not-run: reason -->` are listed with their reasons instead.
import { readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, readJson, workspacePackages, type Manifest } from '@evkit/test-utils/workspace';
import { codeBlocks, type CodeBlock } from '../src/readme-blocks.js';
import { EXAMPLES_DIR, runExample } from '../src/run-example.js';

// Far above any example's own run (the longest waits for timers of a few seconds).
const TIME_LIMIT_MS = 20_000;
// For the examples that read stdin, as `echo … | node example.mjs` would give it.
const STDIN = 'hello from the README test\n';

const readmes = [
  join(REPO_ROOT, 'README.md'),
  ...workspacePackages()
    .filter((pkg) => pkg.path.startsWith('packages/'))
    .map((pkg) => join(pkg.dir, 'README.md')),
];
const blocks: CodeBlock[] = readmes.flatMap((file) => codeBlocks(readFileSync(file, 'utf8'), relative(REPO_ROOT, file)));
// Modules of blocks that moved or went away would linger in the folder.
rmSync(EXAMPLES_DIR, { recursive: true, force: true });

const toRun = blocks.filter((block) => block.notRun === undefined);
const notRun = blocks.filter((block) => block.notRun !== undefined);

it('this package depends on every published package, so that the examples can import each of them', () => {
  const own = readJson<Manifest>(join(REPO_ROOT, 'internal/docs-check/package.json'));
  const published = workspacePackages()
    .filter((pkg) => pkg.manifest.private !== true)
    .map((pkg) => pkg.manifest.name)
    .sort();
  // The prebuilt-binary package has nothing to import; it comes with @evkit/core-native.
  const importable = published.filter((name) => !/^@evkit\/core-native-/.test(name));
  expect(importable.filter((name) => own.devDependencies?.[name] === undefined), 'missing devDependencies').toEqual([]);
});

it(`finds the examples: ${toRun.length} to run, ${notRun.length} marked not-run`, () => {
  expect(toRun.length).toBeGreaterThan(0);
  const list = notRun.map((block) => `  ${block.file}:${block.line}: ${block.notRun}`);
  console.log([`README blocks not run: ${notRun.length}`, ...list].join('\n'));
});

// The examples mostly wait on timers, so several run at once.
describe.concurrent('README examples', () => {
  it.each(toRun.map((block) => [`${block.file}:${block.line}`, block] as const))(
    '%s',
    async (_, block) => {
      const run = await runExample(block, { timeoutMs: TIME_LIMIT_MS, stdin: STDIN });
      const report = [
        `node ${run.module}`,
        run.timedOut ? `still running after ${TIME_LIMIT_MS} ms: killed` : `status ${run.status}, signal ${run.signal}`,
        `stdout:\n${run.stdout}`,
        `stderr:\n${run.stderr}`,
      ].join('\n');
      expect(run.timedOut, report).toBe(false);
      expect(run.status, report).toBe(0);
      expect(run.stderr, report).toBe('');
    },
    TIME_LIMIT_MS + 10_000,
  );
});
