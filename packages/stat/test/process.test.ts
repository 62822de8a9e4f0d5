// Process-global behaviour, in child processes: process lifetime and workers.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runFixture, useProcessTimeout } from '@evkit/test-utils';

useProcessTimeout(); // child processes or workers: see PROCESS_TEST_TIMEOUT_MS

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('process lifetime (Loop.default)', () => {
  it("an unref'd stat watcher does not hold the process", () => {
    const result = runFixture(fixture('lifetime.mjs'), { args: ['unref'] });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.active).toBe(true);
    expect(out.seenMs).toBe(-1);
    expect(out.exitMs).toBeLessThan(10_000); // a hang guard: held, it would live until the fixture's 30 s kill
  });

  it('a referenced one holds it until its callback stops it', () => {
    const result = runFixture(fixture('lifetime.mjs'), { args: ['ref-then-stop'] });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.active).toBe(false);
    expect(out.seenMs).toBeGreaterThanOrEqual(195);
    expect(out.exitMs).toBeGreaterThanOrEqual(out.seenMs);
    expect(out.exitMs).toBeLessThan(10_000); // a hang guard: held, it would live until the fixture's 30 s kill
  });
});

describe('worker_threads', () => {
  it('the main thread and two workers watch one file; all see the change', () => {
    const result = runFixture(fixture('workers.mjs'));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ main: 5, workers: [5, 5] });
  });
});

describe('attached poll loop', () => {
  it('stopping the last Stat while the loop thread polls its inotify fd never aborts libev', () => {
    const result = runFixture(fixture('attached-poll.mjs'), { timeoutMs: 60_000 });
    expect(result.signal, result.stderr).toBe(null);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('ok');
  });
});
