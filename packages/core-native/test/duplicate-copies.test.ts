// Two copies of @evkit/core-native in one process (a nested install): the
// second uses the addon the first loaded, so loops and watchers of both meet
// in one native core; when the copies speak different ABIs the second refuses
// to load, naming both. Child processes: the copies meet on the global.
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ABI_MAJOR, ABI_MINOR } from '@evkit/core-native/binding';
import { runFixture, useProcessTimeout } from '@evkit/test-utils';

useProcessTimeout();

// Inside the package, so the copy resolves its dependencies like the real one;
// no addon is copied: a copy that loaded its own would fail.
const copyDir = fileURLToPath(new URL(`../.copy-${process.pid}/`, import.meta.url));

beforeAll(() => cpSync(fileURLToPath(new URL('../dist/', import.meta.url)), `${copyDir}dist`, { recursive: true }));
afterAll(() => rmSync(copyDir, { recursive: true, force: true }));

function run(mode?: string): Record<string, unknown> {
  const args = [`${copyDir}dist`, ...(mode === undefined ? [] : [mode])];
  const r = runFixture(new URL('./fixtures/duplicate-core.mjs', import.meta.url), { args });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

it('a second copy shares the addon the first loaded', () => {
  expect(run()).toEqual({ shared: true, versions: 'function' });
});

it('a second copy with another ABI refuses to load and names both copies', () => {
  const out = run('other-abi');
  expect(out.code).toBe('ERR_EVKIT_DUPLICATE');
  expect(out.message).toContain('/elsewhere/@evkit/core-native/ (ABI 1.7, loaded first)');
  expect(out.message).toContain(`${copyDir} (needs ABI ${ABI_MAJOR}.${ABI_MINOR}`);
  expect(out.message).toContain('dedupe');
});
