// The `signal` option every watcher constructor takes: abort closes the watcher.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Loop, WatcherClosedError } from '@evkit/loop';
import { runFixture, useLoops, useProcessTimeout } from '@evkit/test-utils';
import { TestIdle, TestTimer } from './helpers.js';

const track = useLoops({ check: false });
useProcessTimeout(); // one test runs a child process

describe('options.signal', () => {
  it('abort() closes the watcher, active or not, and run() has nothing left to do', () => {
    const loop = track(new Loop());
    const controller = new AbortController();
    const active = new TestTimer(loop, 60, 0, { signal: controller.signal }).start(() => {});
    const stopped = new TestIdle(loop, { signal: controller.signal });
    expect([active.active, loop.activeCount]).toEqual([true, 1]);
    controller.abort();
    expect([active.closed, stopped.closed, loop.activeCount]).toEqual([true, true, 0]);
    expect(() => active.start(() => {})).toThrow(WatcherClosedError);
    expect(loop.run()).toBe(false);
  });

  it('a watcher made with an aborted signal is closed from the start', () => {
    const loop = track(new Loop());
    const timer = new TestTimer(loop, 0, 0, { signal: AbortSignal.abort() });
    expect(timer.closed).toBe(true);
    expect(() => timer.start(() => {})).toThrow(WatcherClosedError);
  });

  it('abort() from a callback of an attached loop closes its sibling before it runs', async () => {
    const loop = track(new Loop().attach());
    const controller = new AbortController();
    let siblingRan = false;
    // Due long after the abort whatever the load (a sibling due in the same iteration may run
    // first: libev invokes a pass's later timer first).
    const sibling = new TestTimer(loop, 10, 0, { signal: controller.signal }).start(() => (siblingRan = true));
    await new Promise<void>((resolve) =>
      new TestTimer(loop, 0.001).start(() => {
        controller.abort();
        resolve();
      }),
    );
    expect([sibling.closed, siblingRan, loop.activeCount]).toEqual([true, false, 0]);
  });

  it('close() takes the listener off the signal', () => {
    const loop = track(new Loop());
    const controller = new AbortController();
    const count = () => getEventListeners(controller.signal, 'abort').length;
    const idles = Array.from({ length: 10 }, () => new TestIdle(loop, { signal: controller.signal }));
    expect(count()).toBe(10);
    for (const idle of idles.slice(0, 6)) idle.close();
    expect(count()).toBe(4);
    loop.destroy(); // closes nothing by itself: the rest go on abort
    controller.abort();
    expect(idles.every((idle) => idle.closed)).toBe(true);
  });

  it('a watcher dropped without close() is collected and its listener leaves the signal', () => {
    const result = runFixture(new URL('./fixtures/abort-gc.mjs', import.meta.url), { execArgv: ['--expose-gc'] });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.trim())).toEqual({ before: 100, collected: 100, after: 0 });
  });

  it.each([null, 1, 'x', {}])('options.signal %p is a TypeError naming the option', (bad) => {
    const loop = track(new Loop());
    expect(() => new TestTimer(loop, 0, 0, { signal: bad as never })).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: expect.stringMatching(/options\.signal must be an AbortSignal/) }),
    );
  });
});
