// Process-global behaviour, in child processes: process lifetime, and real
// fork(2) children that stay native (@evkit/native-testing's forkProbe; a forked Node process
// cannot run JavaScript).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runFixture, useProcessTimeout } from '@evkit/test-utils';

useProcessTimeout(); // child processes or workers: see PROCESS_TEST_TIMEOUT_MS

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('process lifetime', () => {
  it("an unref'd fork watcher on Loop.default does not hold the process", () => {
    const result = runFixture(fixture('unref.mjs'), { args: ['unref'] });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.active).toBe(true);
    expect(out.exitMs).toBeLessThan(10_000); // a hang guard: held, it would live until the fixture's 30 s kill
  });

  it('a referenced one holds it until unref()', () => {
    const result = runFixture(fixture('unref.mjs'), { args: ['ref-then-unref'] });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.exitMs).toBeGreaterThanOrEqual(290);
    expect(out.exitMs).toBeLessThan(10_000); // a hang guard: held, it would live until the fixture's 30 s kill
  });
});

describe('a real fork: the loop survives in a native-only child', () => {
  const result = runFixture(fixture('probe.mjs'));
  const out = result.status === 0 ? JSON.parse(result.stdout) : {};
  const works = { completed: true, io: true, timer: true, guard: false, signal: null };

  it('the fixture ran', () => {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('after ev_loop_fork the child runs fork watchers once and its io and timers work', () => {
    expect(out.plainReinit).toMatchObject({ ...works, forks: 1 });
    expect(out.selectReinit).toMatchObject({ ...works, forks: 1 });
  });

  it('without ev_loop_fork a plain loop runs no fork watcher in the child', () => {
    expect(out.plainNoReinit).toMatchObject({ completed: true, forks: 0 });
  });

  it('a FLAG_FORKCHECK loop notices the new pid by itself, and a reinit on top adds no second run', () => {
    expect(out.forkcheckNoReinit).toMatchObject({ ...works, forks: 1 });
    expect(out.forkcheckReinit).toMatchObject({ ...works, forks: 1 });
  });

  it("the parent's loops keep working and run no fork watcher", () => {
    expect(out.plainAfter).toEqual({ fired: 1, forks: 0 });
    expect(out.forkcheckAfter).toEqual({ fired: 1, forks: 0 });
    expect(out.parentForks).toBe(0);
  });

  it('the helper refuses loops whose child could reach JS', () => {
    expect(out.activeRefused).toMatch(/active or pending watchers/);
    expect(out.attachedRefused).toMatch(/attached/);
    expect(out.unknownRefused).toMatch(/^RangeError/);
    expect(out.destroyedRefused).toMatch(/TypeError|RangeError/);
  });
});
