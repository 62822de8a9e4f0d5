// Two copies of @evkit/loop in one process (a nested install): the second
// warns when it loads, and a Loop of one copy given to the other is refused
// with an error that names both copies. Runs in a child process: the copies
// register on the process's global.
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runFixture, useProcessTimeout } from '@evkit/test-utils';

useProcessTimeout();

// Inside the package, so the copy resolves @evkit/core-native like the real one.
const copyDir = fileURLToPath(new URL(`../.copy-${process.pid}/`, import.meta.url));
const ownDir = fileURLToPath(new URL('../', import.meta.url));

beforeAll(() => cpSync(fileURLToPath(new URL('../dist/', import.meta.url)), `${copyDir}dist`, { recursive: true }));
afterAll(() => rmSync(copyDir, { recursive: true, force: true }));

it('a second copy warns at load and each refuses the other copy’s loops, naming both', () => {
  const r = runFixture(new URL('./fixtures/duplicate-copy.mjs', import.meta.url), { args: [`${copyDir}dist`] });
  expect(r.stderr).not.toMatch(/Error/);
  expect(r.status).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  expect(out.warnings).toHaveLength(1);
  expect(out.warnings[0].code).toBe('EVKIT_DUPLICATE_LOOP');
  expect(out.warnings[0].message).toContain(ownDir);
  expect(out.warnings[0].message).toContain(copyDir);
  for (const refused of [out.copyRejectsOurs, out.oursRejectsCopys]) {
    expect(refused.code).toBe('ERR_EVKIT_DUPLICATE');
    expect(refused.message).toContain('another copy of @evkit/loop');
    expect(refused.message).toContain(ownDir);
    expect(refused.message).toContain(copyDir);
    expect(refused.message).toContain('dedupe');
  }
  expect(out.oursAcceptsOurs).toBeNull();
  expect(out.plainObject.code).toBe('ERR_INVALID_ARG_TYPE');
});
