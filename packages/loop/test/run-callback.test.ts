// runCallback, gevent's run_callback: FIFO, once per iteration before the loop
// blocks, keeps run() alive while queued, same-pass for callbacks queued while
// draining, never runs after stop().
import { describe, expect, it } from 'vitest';
import { Callback } from '@evkit/loop';
import { useFreshLoop } from '@evkit/test-utils';
import { TestPrepare } from './helpers.js';

describe('runCallback', () => {
  const fresh = useFreshLoop();

  it('runs callbacks FIFO with their arguments, then run() returns', () => {
    const loop = fresh();
    const log: unknown[] = [];
    for (let i = 0; i < 5; i++) loop.runCallback((n: number, s: string) => log.push([n, s]), i, 'x');
    expect(loop.run()).toBe(false);
    expect(log).toEqual([0, 1, 2, 3, 4].map((n) => [n, 'x']));
  });

  it('keeps FIFO order, stops and late additions across a pass cut short by its time slice', () => {
    const loop = fresh();
    const order: number[] = [];
    const queued: Callback[] = [];
    const busyMs = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    for (let i = 0; i < 3000; i++) {
      queued.push(
        loop.runCallback(() => {
          order.push(i);
          if (i === 100) queued[2000]!.stop();
          // longer than a pass's slice: the pass ends soon after, with the queue's front run
          if (i === 1500) busyMs(20);
          if (i === 2500) for (let j = 0; j < 10; j++) loop.runCallback(() => order.push(10_000 + j));
        }),
      );
    }
    const before = loop.iteration;
    loop.run();
    expect(loop.iteration - before).toBeGreaterThanOrEqual(2); // the queue was run in more than one pass
    const want = [...Array.from({ length: 3000 }, (_, i) => i).filter((i) => i !== 2000), ...Array.from({ length: 10 }, (_, j) => 10_000 + j)];
    expect(order).toEqual(want);
    expect(loop.refCount).toBe(0); // nothing left queued
  });

  it('is pending until it runs, and returns a Callback', () => {
    const loop = fresh();
    let pendingInside: boolean | undefined;
    const cb = loop.runCallback(() => {
      pendingInside = cb.pending;
    });
    expect(cb).toBeInstanceOf(Callback);
    expect(cb.pending).toBe(true);
    expect(cb.callback).toBeTypeOf('function');
    loop.run();
    expect(pendingInside).toBe(false);
    expect(cb.pending).toBe(false);
    expect(cb.callback).toBe(null);
    expect(cb.args).toBe(null);
  });

  it('never runs once stopped, and close() is stop()', () => {
    const loop = fresh();
    const log: string[] = [];
    const a = loop.runCallback(() => log.push('a'));
    const b = loop.runCallback(() => log.push('b'));
    const c = loop.runCallback(() => log.push('c'));
    a.stop();
    c.close();
    expect([a.pending, b.pending, c.pending]).toEqual([false, true, false]);
    expect(loop.refCount).toBe(1);
    loop.run();
    expect(log).toEqual(['b']);
    a.stop();
  });

  it('keeps run() alive only while queued', () => {
    const loop = fresh();
    const cb = loop.runCallback(() => {});
    expect(loop.refCount).toBe(1);
    cb.stop();
    expect(loop.refCount).toBe(0);
    expect(loop.run()).toBe(false);
  });

  it('runs callbacks queued during the drain in the same pass', () => {
    const loop = fresh();
    const iterations: number[] = [];
    loop.runCallback(() => {
      iterations.push(loop.iteration);
      loop.runCallback(() => {
        iterations.push(loop.iteration);
        loop.runCallback(() => iterations.push(loop.iteration));
      });
    });
    loop.run();
    expect(iterations).toHaveLength(3);
    expect(new Set(iterations).size).toBe(1);
  });

  it('a callback stopped from an earlier callback in the same pass does not run', () => {
    const loop = fresh();
    const log: string[] = [];
    loop.runCallback(() => second.stop());
    const second = loop.runCallback(() => log.push('second'));
    loop.runCallback(() => log.push('third'));
    loop.run();
    expect(log).toEqual(['third']);
  });

  it('runs in the prepare phase: after user prepares, before the loop blocks', () => {
    const loop = fresh();
    const log: string[] = [];
    const prepare = new TestPrepare(loop).start(() => {
      log.push('prepare');
      prepare.stop();
    });
    loop.runCallback(() => log.push('callback'));
    loop.run();
    expect(log).toEqual(['prepare', 'callback']);
  });

  it('yields to the loop after a 5 ms slice and continues on the next iteration', () => {
    const loop = fresh();
    let ran = 0;
    const spin = () => {
      ran++;
      const until = performance.now() + 0.2;
      while (performance.now() < until) {
        /* busy */
      }
    };
    for (let i = 0; i < 200; i++) loop.runCallback(spin);
    const before = loop.iteration;
    loop.run();
    expect(ran).toBe(200);
    expect(loop.iteration - before).toBeGreaterThan(1);
  });

  it('handles a long self-scheduling chain in one run()', () => {
    const loop = fresh();
    let n = 0;
    const step = () => {
      if (++n < 100_000) loop.runCallback(step);
    };
    loop.runCallback(step);
    loop.run();
    expect(n).toBe(100_000);
  });

  it('rejects a non-function', () => {
    const loop = fresh();
    expect(() => loop.runCallback(5 as never)).toThrow(TypeError);
    expect(() => loop.runCallback(null as never)).toThrow(/fn must be a function/);
  });
});
