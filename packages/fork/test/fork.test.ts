// Fork watchers. Invariants:
// - a fork watcher runs only after loop.reinit() (ev_loop_fork) or, on a
//   FLAG_FORKCHECK loop, after a pid change; never because an iteration passed;
// - it runs once per reinit, on the next iteration, in the fork phase (before
//   prepare watchers), fork watchers among themselves by priority;
// - that holds wherever reinit() is called: outside the loop, from a timer,
//   from a prepare-phase callback (runCallback, Prepare), from a fork callback;
// - blocking and attached loops behave alike.
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Loop, LoopDestroyedError, WatcherClosedError } from '@evkit/loop';
import { Fork } from '@evkit/fork';
import { Check, Prepare } from '@evkit/prepare-check';
import { Timer } from '@evkit/timer';
import { countIterations, useFreshLoop } from '@evkit/test-utils';

/**
 * Polls until `done()` (attached loops deliver asynchronously). `ms` is a hang
 * guard only: the assertion after it fails if the event never came.
 */
async function until(done: () => boolean, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!done() && performance.now() < end) await delay(2);
}

describe('runs only after reinit(), once (blocking)', () => {
  const fresh = useFreshLoop();

  it('run({nowait}) without reinit() does not call it; after reinit() the next one does, once', () => {
    const loop = fresh();
    let calls = 0;
    const fork = new Fork(loop).start(() => calls++);
    loop.run({ nowait: true });
    loop.run({ nowait: true });
    expect(calls).toBe(0);
    loop.reinit();
    expect(calls).toBe(0); // reinit() only sets libev's flag
    loop.run({ nowait: true });
    expect(calls).toBe(1);
    loop.run({ nowait: true });
    loop.run({ nowait: true });
    expect(calls).toBe(1);
    loop.reinit();
    loop.run({ nowait: true });
    expect(calls).toBe(2);
    fork.stop();
  });

  it('two reinit() calls before the loop runs give one callback', () => {
    const loop = fresh();
    let calls = 0;
    const fork = new Fork(loop).start(() => calls++);
    loop.reinit();
    loop.reinit();
    loop.run({ nowait: true });
    loop.run({ nowait: true });
    expect(calls).toBe(1);
    fork.close();
  });

  it('a stopped fork watcher does not run; one started after reinit() does', () => {
    const loop = fresh();
    let a = 0;
    let b = 0;
    const fa = new Fork(loop).start(() => a++);
    fa.stop();
    loop.reinit();
    const fb = new Fork(loop).start(() => b++);
    loop.run({ nowait: true });
    expect([a, b]).toEqual([0, 1]);
    fb.stop();
    fa.close();
  });

  it('the callback gets its args and the watcher as this; it stays active', () => {
    const loop = fresh();
    const seen: unknown[] = [];
    const fork = new Fork<[string, number]>(loop).start(function (this: Fork, s, n) {
      seen.push(this, s, n, this.active);
    }, 'x', 7);
    loop.reinit();
    loop.run({ nowait: true });
    expect(seen).toEqual([fork, 'x', 7, true]);
    expect(fork.pending).toBe(false);
    fork.stop();
  });
});

describe('runs only after reinit(), once (attached loops)', () => {
  const loops: Loop[] = [];
  afterEach(() => {
    for (const loop of loops.splice(0)) loop.destroy();
  });

  it('iterations without reinit() do not call it; reinit() from outside calls it once', async () => {
    const loop = new Loop().attach();
    loops.push(loop);
    let calls = 0;
    let ticks = 0;
    const fork = new Fork(loop, { ref: false }).start(() => calls++);
    const ticker = new Timer(loop, 0, 0.002).start(() => ticks++);
    await until(() => ticks >= 10);
    expect(ticks).toBeGreaterThanOrEqual(10);
    expect(calls).toBe(0);
    loop.reinit(); // the loop thread is told (woken), not raced
    await until(() => calls > 0);
    expect(calls).toBe(1);
    const after = ticks;
    await until(() => ticks >= after + 10);
    expect(calls).toBe(1);
    ticker.stop();
    fork.stop();
  });

  it('reinit() while the loop thread sleeps with nothing else to do still runs it promptly', async () => {
    const loop = new Loop().attach();
    loops.push(loop);
    let calls = 0;
    const fork = new Fork(loop, { ref: false }).start(() => calls++);
    await delay(30);
    loop.reinit();
    // Nothing else would ever wake the loop thread: a missed wake-up never calls it.
    await until(() => calls > 0);
    expect(calls).toBe(1);
    await delay(30);
    expect(calls).toBe(1);
    fork.stop();
  });

  it('several fork watchers run by priority, before prepare watchers, in one batch', async () => {
    const loop = new Loop().attach();
    loops.push(loop);
    const order: string[] = [];
    const forks = [-2, 0, 2, -1, 1].map((priority) =>
      new Fork(loop, { priority, ref: false }).start(() => order.push(`fork${priority}`)),
    );
    await delay(20);
    const prepare = new Prepare(loop, { priority: 2, ref: false }).start(() => {
      if (order.length > 0 && !order.includes('prepare')) order.push('prepare');
    });
    loop.reinit();
    await until(() => order.includes('prepare'));
    expect(order).toEqual(['fork2', 'fork1', 'fork0', 'fork-1', 'fork-2', 'prepare']);
    prepare.stop();
    for (const f of forks) f.stop();
  });

  it('reinit() from a runCallback (prepare phase) still runs fork watchers once', async () => {
    const loop = new Loop().attach();
    loops.push(loop);
    let calls = 0;
    const fork = new Fork(loop, { ref: false }).start(() => calls++);
    loop.runCallback(() => loop.reinit());
    await until(() => calls > 0);
    await delay(30);
    expect(calls).toBe(1);
    fork.stop();
  });

  it('detach() from the fork callback: the next blocking run() does not call it again', async () => {
    const loop = new Loop().attach();
    loops.push(loop);
    let calls = 0;
    const fork = new Fork(loop, { ref: false }).start(() => {
      calls++;
      loop.detach(); // stops the loop thread in the middle of the iteration the reinit() asked for
    });
    loop.reinit();
    await until(() => calls > 0);
    expect(loop.attached).toBe(false);
    loop.run({ nowait: true });
    loop.run({ nowait: true });
    expect(calls).toBe(1);
    fork.stop();
  });

  it('runAsync() is not held open by an unref\'d fork watcher', async () => {
    const loop = new Loop().attach();
    loops.push(loop);
    const fork = new Fork(loop, { ref: false }).start(() => {});
    expect(fork.hasRef()).toBe(false);
    expect(loop.refCount).toBe(0);
    await loop.runAsync();
    expect(fork.active).toBe(true);
    fork.stop();
  });
});

describe('priorities and phases (blocking)', () => {
  const fresh = useFreshLoop();

  it('fork watchers run by priority, in the fork phase before prepare and check', () => {
    const loop = fresh();
    const order: string[] = [];
    const forks = [-2, 0, 2, -1, 1].map((priority) =>
      new Fork(loop, { priority }).start(() => order.push(`fork${priority}`)),
    );
    const prepare = new Prepare(loop, { priority: 2 }).start(() => order.push('prepare'));
    const check = new Check(loop, { priority: 2 }).start(() => order.push('check'));
    loop.run({ nowait: true });
    expect(order).toEqual(['prepare', 'check']);
    order.length = 0;
    loop.reinit();
    loop.run({ nowait: true });
    expect(order).toEqual(['fork2', 'fork1', 'fork0', 'fork-1', 'fork-2', 'prepare', 'check']);
    for (const w of [...forks, prepare, check]) w.stop();
  });

  it('a fork watcher started from another fork callback waits for the next reinit()', () => {
    const loop = fresh();
    const order: string[] = [];
    let late: Fork | undefined;
    const first = new Fork(loop).start(() => {
      order.push('first');
      late ??= new Fork(loop).start(() => order.push('late'));
    });
    loop.reinit();
    loop.run({ nowait: true });
    loop.run({ nowait: true });
    expect(order).toEqual(['first']);
    loop.reinit();
    loop.run({ nowait: true });
    expect(order.sort()).toEqual(['first', 'first', 'late']);
    first.stop();
    late?.stop();
  });
});

describe('reinit() from inside callbacks (blocking)', () => {
  const fresh = useFreshLoop();

  /** One nowait run() per iteration; records in which run each fork callback came. */
  function harness(loop: Loop) {
    const state = { run: 0, seen: [] as number[] };
    const fork = new Fork(loop).start(() => state.seen.push(state.run));
    const spin = (n: number) => {
      for (; state.run < n; state.run++) loop.run({ nowait: true });
    };
    return { state, fork, spin };
  }

  it('from a timer callback: on the next iteration, once', () => {
    const loop = fresh();
    const { state, fork, spin } = harness(loop);
    let at = -1;
    new Timer(loop, 0).start(() => {
      at = state.run;
      loop.reinit();
    });
    spin(5);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(state.seen).toEqual([at + 1]);
    fork.stop();
  });

  it('from a runCallback (prepare phase, before libev re-initialises): on the next iteration, once', () => {
    const loop = fresh();
    const { state, fork, spin } = harness(loop);
    loop.runCallback(() => loop.reinit());
    spin(5);
    expect(state.seen).toEqual([1]);
    fork.stop();
  });

  it('from a Prepare callback: on the next iteration, once', () => {
    const loop = fresh();
    const { state, fork, spin } = harness(loop);
    const prepare = new Prepare(loop).start(() => {
      prepare.stop();
      loop.reinit();
    });
    spin(5);
    expect(state.seen).toEqual([1]);
    fork.stop();
  });

  it('from a Check callback: on the next iteration, once', () => {
    const loop = fresh();
    const { state, fork, spin } = harness(loop);
    const check = new Check(loop).start(() => {
      check.stop();
      loop.reinit();
    });
    spin(5);
    expect(state.seen).toEqual([1]);
    fork.stop();
  });

  it('from the fork callback itself: runs again on the next iteration, then stops', () => {
    const loop = fresh();
    let calls = 0;
    const fork = new Fork(loop).start(() => {
      if (++calls === 1) loop.reinit();
    });
    loop.reinit();
    for (let i = 0; i < 6; i++) loop.run({ nowait: true });
    expect(calls).toBe(2);
    fork.stop();
  });

  it('a blocking run() with a referenced timer still gets there (reinit from a callback of run())', () => {
    const loop = fresh();
    let calls = 0;
    const fork = new Fork(loop, { ref: false }).start(() => calls++);
    let ticks = 0;
    const timer = new Timer(loop, 0.001, 0.001).start(() => {
      ticks++;
      if (ticks === 2) loop.reinit();
      if (ticks === 6) timer.stop();
    });
    loop.run();
    expect(calls).toBe(1);
    fork.stop();
  });
});

describe('liveness', () => {
  const fresh = useFreshLoop();

  it('an unref\'d fork watcher does not keep run() alive', () => {
    const loop = fresh();
    const fork = new Fork(loop, { ref: false }).start(() => {});
    const iterations = countIterations(loop);
    expect(loop.run()).toBe(true); // returns at once; the (unref'd) watcher is still active
    expect(iterations.count).toBe(1);
    iterations.stop();
    expect(fork.active).toBe(true);
    expect(fork.hasRef()).toBe(false);
    expect(loop.refCount).toBe(0);
    fork.stop();
  });

  it('a referenced fork watcher counts in refCount until unref()', () => {
    const loop = fresh();
    const fork = new Fork(loop).start(() => {});
    expect(loop.refCount).toBe(1);
    expect(fork.hasRef()).toBe(true);
    fork.unref();
    expect(loop.refCount).toBe(0);
    expect(loop.run()).toBe(true);
    fork.stop();
  });
});

describe('errors', () => {
  it('reinit() on a destroyed loop throws LoopDestroyedError', () => {
    const loop = new Loop();
    loop.destroy();
    expect(() => loop.reinit()).toThrow(LoopDestroyedError);
    expect(() => new Fork(loop)).toThrow(LoopDestroyedError);
  });

  it('a fork watcher of a destroyed loop is inert and throws LoopDestroyedError', () => {
    const loop = new Loop();
    const fork = new Fork(loop).start(() => {});
    loop.destroy();
    expect(fork.closed).toBe(true);
    expect(() => fork.active).toThrow(LoopDestroyedError);
    expect(() => fork.start(() => {})).toThrow(LoopDestroyedError);
    fork.close();
  });

  it('destroy() right after reinit() (internal repair watchers pending) is clean', () => {
    const loop = new Loop();
    new Fork(loop).start(() => {});
    loop.runCallback(() => loop.reinit());
    loop.run({ nowait: true });
    loop.destroy();
    expect(loop.destroyed).toBe(true);
  });

  it('bad arguments: typed errors naming the argument', () => {
    const loop = new Loop();
    expect(() => new Fork({} as Loop)).toThrow(TypeError);
    expect(() => new Fork({} as Loop)).toThrow(/loop/);
    expect(() => new Fork(loop, 5 as never)).toThrow(/options/);
    expect(() => new Fork(loop, { priority: 3 })).toThrow(RangeError);
    expect(() => new Fork(loop, { priority: 1.5 })).toThrow(RangeError);
    expect(() => new Fork(loop, { ref: 'no' as never })).toThrow(/options\.ref/);
    const fork = new Fork(loop);
    expect(() => fork.start(null as never)).toThrow(/callback/);
    fork.close();
    expect(() => fork.start(() => {})).toThrow(WatcherClosedError);
    loop.destroy();
  });
});
