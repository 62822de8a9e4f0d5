// Loop health: loop.stats() and loop.monitorDelay().
import { describe, expect, it } from 'vitest';
import { Loop } from '@evkit/loop';
import { useLoops } from '@evkit/test-utils';
import { TestTimer } from './helpers.js';

const track = useLoops({ check: false });

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* a callback doing synchronous work */
  }
}

describe('loop.stats()', () => {
  it('counts iterations, time waiting in the poll and time in callbacks (blocking)', () => {
    const loop = track(new Loop());
    expect(loop.stats()).toEqual({ iterations: 0, pollTime: 0, callbackTime: 0, pendingCount: 0, activeCount: 0, refCount: 0 });
    new TestTimer(loop, 0.3).start(() => busy(20));
    loop.run();
    const stats = loop.stats();
    expect(stats.iterations).toBeGreaterThanOrEqual(1);
    // It slept for the timer: most of its 0.3 s (what passes between start() and the poll, on a
    // loaded machine, does not count: hence the wide margin).
    expect(stats.pollTime).toBeGreaterThanOrEqual(0.15);
    expect(stats.callbackTime).toBeGreaterThanOrEqual(0.019);
    expect([stats.activeCount, stats.refCount, stats.pendingCount]).toEqual([0, 0, 0]);
    loop.destroy();
    expect(() => loop.stats()).toThrow(/destroyed/);
  });

  it('an attached loop counts its thread’s poll and the JS thread’s callbacks', async () => {
    const loop = track(new Loop().attach());
    const timer = new TestTimer(loop, 0.05);
    await new Promise<void>((resolve) => timer.start(() => (busy(20), resolve())));
    await new Promise((resolve) => setImmediate(resolve)); // out of that callback's delivery
    const stats = loop.stats();
    expect(stats.pollTime).toBeGreaterThanOrEqual(0.04);
    expect(stats.callbackTime).toBeGreaterThanOrEqual(0.019);
  });
});

describe('loop.monitorDelay()', () => {
  it('records how late its timer runs while enabled, in nanoseconds; never keeps the loop alive', () => {
    const loop = track(new Loop());
    const delay = loop.monitorDelay({ resolution: 1 });
    expect(delay.enable()).toBe(true);
    expect(delay.enable()).toBe(false);
    let n = 0;
    const work = new TestTimer(loop, 0.005, 0.005).start(function () {
      busy(n === 2 ? 30 : 1);
      if (++n === 6) this.stop();
    });
    loop.run(); // returns: the sampling timer alone does not keep it running
    expect(work.active).toBe(false);
    expect(delay.count).toBeGreaterThan(3);
    expect(delay.max).toBeGreaterThanOrEqual(20e6); // the 30 ms callback delayed a sample
    expect(delay.disable()).toBe(true);
    expect(delay.disable()).toBe(false);
    expect(() => loop.monitorDelay({ resolution: 0 })).toThrow(RangeError);
    expect(() => loop.monitorDelay(1 as never)).toThrow(TypeError);
  });
});
