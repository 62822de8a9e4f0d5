// Process-level lifetime: GC, worker_threads, exit codes. Each runs in a child
// process against the built packages.
import { describe, expect, it } from 'vitest';
import { runFixture, useProcessTimeout } from '@evkit/test-utils';

useProcessTimeout(); // child processes or workers: see PROCESS_TEST_TIMEOUT_MS

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

function json(result: { status: number | null; stdout: string; stderr: string }) {
  expect(result.stderr, 'stderr').toBe('');
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').pop() as string);
}

describe('garbage collection', () => {
  it('keeps active and pending watchers alive and collects stopped ones; loops and watchers finalise in any order', () => {
    const out = json(runFixture(fixture('gc.mjs'), { execArgv: ['--expose-gc'], timeoutMs: 60_000 }));
    expect(out.activeSurvivedGc).toBe(true);
    expect(out.fedSurvivedGc).toBe(true);
    expect(out.jsFinalized).toBe(20000);
    expect(out.nativeFreed).toBeGreaterThanOrEqual(20000);
    expect(out.loopsCreated).toBe(200);
    // The last loop of the batch can still sit in a register when gc() runs.
    expect(out.loopsFreed).toBeGreaterThanOrEqual(199);
    expect(out.loopsLive).toBeLessThanOrEqual(1);
    expect(out.watchersLeft).toBeLessThanOrEqual(2);
  });
});

describe('worker_threads', () => {
  it('four workers run loops at once and all exit 0', () => {
    const results = json(runFixture(fixture('workers.mjs')));
    expect(results).toHaveLength(4);
    for (const r of results) {
      expect(r.code).toBe(0);
      expect(r.message.total).toBeGreaterThan(6000);
    }
  });

  it('terminate() of a worker blocked in run() resolves promptly', () => {
    const out = json(runFixture(fixture('terminate-blocked.mjs')));
    expect(out.terminateMs).toBeLessThan(10_000); // a hang guard: without the heartbeat it never returns
  });
});

describe('process.exit() inside a callback', () => {
  it('exits with its code on the main thread', () => {
    const result = runFixture(fixture('exit-in-callback.mjs'));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(3);
    expect(result.stdout).not.toContain('not reached');
  });

  it('exits with its code on the main thread from an attached loop', () => {
    const result = runFixture(fixture('exit-in-callback.mjs'), { args: ['main', 'attached'] });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(3);
  });

  it.each(['blocking', 'attached'])('exits the worker with its code and the process survives (%s)', (mode) => {
    const result = runFixture(fixture('exit-in-callback.mjs'), { args: ['worker', mode] });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('worker exited 5');
  });
});
