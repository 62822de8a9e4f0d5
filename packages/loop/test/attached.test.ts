// Attached mode, in this process. Invariants:
// - callbacks run on the JS thread as Node events: nextTicks and promise
//   reactions settle after each callback, as after a Node timer's;
// - callbacks run in the AsyncLocalStorage context of their start();
// - run() is refused; destroy() returns promptly from anywhere;
// - the loop thread sees changes made outside callbacks at once (fresh time,
//   new watchers) and no change from any place deadlocks.
import { AsyncLocalStorage, createHook, executionAsyncId } from 'node:async_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EvError, Loop } from '@evkit/loop';
import { useLoops } from '@evkit/test-utils';
import { TestIdle, TestPrepare, TestTimer } from './helpers.js';

const track = useLoops({ check: false });
function attachedLoop(): Loop {
  return track(new Loop().attach());
}

/** A promise and the function that settles it, for waiting on a callback instead of a fixed delay. */
function signal<T = void>(): { done: Promise<T>; fire: (value: T) => void } {
  let fire!: (value: T) => void;
  const done = new Promise<T>((resolve) => (fire = resolve));
  return { done, fire };
}

/** The next turn of Node's loop: the batch that ran a callback has been handed back by then. */
const afterBatch = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Far below the 10 s or 60 s the loop thread would otherwise sleep: only a missed wake-up exceeds it. */
const LONG_BEFORE_MS = 5000;

describe('attach / detach', () => {
  it('attach() makes Node drive the loop; detach() gives run() back', async () => {
    const loop = attachedLoop();
    expect(loop.attached).toBe(true);
    expect(() => loop.run()).toThrow(EvError);
    expect(() => loop.run()).toThrow(/attached/);
    let fired = 0;
    const first = signal();
    new TestTimer(loop, 0.01).start(() => {
      fired++;
      first.fire();
    });
    await first.done;
    await afterBatch();
    expect(fired).toBe(1);
    loop.detach();
    expect(loop.attached).toBe(false);
    new TestTimer(loop, 0.001).start(() => fired++);
    loop.run();
    expect(fired).toBe(2);
    loop.attach();
    const third = signal();
    new TestTimer(loop, 0.001).start(() => {
      fired++;
      third.fire();
    });
    await third.done;
    expect(fired).toBe(3);
  });

  it('runAsync() resolves when nothing keeps the loop alive; it stays attached', async () => {
    const loop = track(new Loop());
    let fired = 0;
    const t = new TestTimer(loop, 0.02, 0.02).start(() => {
      if (++fired === 3) t.stop();
    });
    await loop.runAsync();
    expect(fired).toBe(3);
    expect(loop.attached).toBe(true);
    expect(loop.refCount).toBe(0);
    let later = false;
    const fired2 = signal();
    new TestTimer(loop, 0.01).start(() => {
      later = true;
      fired2.fire();
    });
    await fired2.done; // the still attached loop runs a new timer without runAsync()
    expect(later).toBe(true);
    await loop.runAsync(); // already idle: resolves at once
  });

  it('runAsync() resolves after break(), and when the last watcher is stopped from outside', async () => {
    const loop = attachedLoop();
    const t = new TestTimer(loop, 60).start(() => {});
    const first = loop.runAsync();
    setTimeout(() => loop.break(), 20);
    await first;
    expect(t.active).toBe(true);
    const second = loop.runAsync();
    setTimeout(() => t.stop(), 20);
    await second;
    expect(loop.refCount).toBe(0);
  });

  it("break('cancel') does not resolve runAsync(); a later break() does", async () => {
    const loop = attachedLoop();
    const t = new TestTimer(loop, 60).start(() => {});
    let brokeForReal = false;
    let resolvedEarly = false;
    const running = loop.runAsync().then(() => {
      if (!brokeForReal) resolvedEarly = true;
    });
    loop.break('cancel');
    await new Promise((resolve) => setImmediate(resolve)); // a wrongly resolved promise has run its then() by now
    expect(resolvedEarly).toBe(false);
    brokeForReal = true;
    loop.break('one');
    await running;
    expect(resolvedEarly).toBe(false);
    t.stop();
  });

  it('runAsync() counts queued callbacks as keeping the loop alive', async () => {
    const loop = attachedLoop();
    const log: number[] = [];
    loop.runCallback(() => {
      log.push(1);
      loop.runCallback(() => log.push(2));
    });
    await loop.runAsync();
    expect(log).toEqual([1, 2]);
  });

  it('Loop.default is attached, one per thread, and recreated after destroy()', () => {
    const d = Loop.default;
    expect(d.attached).toBe(true);
    expect(d.isDefault).toBe(true);
    expect(Loop.default).toBe(d);
    d.destroy();
    expect(d.isDefault).toBe(false);
    const fresh = Loop.default;
    expect(fresh).not.toBe(d);
    expect(fresh.isDefault && fresh.attached).toBe(true);
  });

  it('views cannot be attached', () => {
    const loop = attachedLoop();
    expect(() => new Loop({ ptr: loop.ptr }).attach()).toThrow(EvError);
  });
});

describe('callbacks as Node events', () => {
  it('promise reactions and nextTicks of callback A are done before callback B of the same batch', async () => {
    const loop = attachedLoop();
    const seen: string[] = [];
    let tickDone = false;
    let thenDone = false;
    // Two timers with the same expiry fire in one batch.
    new TestTimer(loop, 0.01).start(() => {
      process.nextTick(() => (tickDone = true));
      void Promise.resolve().then(() => (thenDone = true));
    });
    const second = signal();
    new TestTimer(loop, 0.01).start(() => {
      seen.push(`tick=${tickDone} then=${thenDone}`);
      second.fire();
    });
    await second.done;
    expect(seen).toEqual(['tick=true then=true']);
  });

  it('in blocking mode they run only after run() returns (documented)', async () => {
    const loop = track(new Loop());
    const seen: string[] = [];
    let thenDone = false;
    new TestTimer(loop, 0).start(() => {
      void Promise.resolve().then(() => (thenDone = true));
    });
    new TestTimer(loop, 0.005).start(() => seen.push(`then=${thenDone}`));
    loop.run();
    expect(seen).toEqual(['then=false']);
    expect(thenDone).toBe(false);
    await Promise.resolve();
    expect(thenDone).toBe(true);
  });

  it('callbacks run in the AsyncLocalStorage context of start() / runCallback()', async () => {
    const loop = attachedLoop();
    const als = new AsyncLocalStorage<string>();
    // Which of the three runs first depends on when the loop thread gets a
    // turn (a late one sees the 5 ms timer expired before the queued callback);
    // each callback's context does not.
    const seen = new Map<string, string | undefined>();
    const all = signal();
    const record = (what: string) => {
      seen.set(what, als.getStore());
      if (seen.size === 3) all.fire();
    };
    als.run('timer-store', () => new TestTimer(loop, 0.005).start(() => record('timer')));
    als.run('callback-store', () => loop.runCallback(() => record('callback')));
    new TestTimer(loop, 0.01).start(() => record('outside'));
    await all.done;
    expect(Object.fromEntries(seen)).toEqual({ timer: 'timer-store', callback: 'callback-store', outside: undefined });
  });

  it('a callback or args set after start() keep the context of start(), and args arrive', async () => {
    const loop = attachedLoop();
    const als = new AsyncLocalStorage<string>();
    const ran = signal();
    let seen: unknown[] = [];
    const timer = als.run('start-store', () =>
      new TestTimer(loop, 0.005).start((a: string) => {
        seen = ['first', a];
      }, 'from start'),
    );
    expect(timer.args).toEqual(['from start']);
    als.run('setter-store', () => {
      timer.callback = function (this: TestTimer, a: string, b?: string) {
        seen = [als.getStore(), a, b, this === timer];
        ran.fire();
      };
      timer.args = ['set', 'later'];
    });
    await ran.done;
    expect(seen).toEqual(['start-store', 'set', 'later', true]);
  });

  it('a watcher re-armed from its own callback runs each time in the context of its latest start()', async () => {
    const loop = attachedLoop();
    const als = new AsyncLocalStorage<number>();
    const seen: Array<number | undefined> = [];
    const done = signal();
    // Each start() replaces the context the running callback is in.
    function rearm(this: TestTimer): void {
      const n = als.getStore();
      seen.push(n);
      if (n === undefined || n >= 3) done.fire();
      else als.run(n + 1, () => this.start(rearm));
    }
    als.run(0, () => new TestTimer(loop, 0).start(rearm));
    await done.done;
    expect(seen).toEqual([0, 1, 2, 3]);
  });

  it('a watcher started while attached keeps the context of its start() in a blocking run() after detach()', () => {
    const loop = attachedLoop();
    const als = new AsyncLocalStorage<string>();
    const seen: Array<string | undefined> = [];
    als.run('start-store', () =>
      new TestTimer(loop, 0.001, 0.001).start(function (this: TestTimer) {
        seen.push(als.getStore());
        this.stop();
      }),
    );
    loop.detach();
    loop.run();
    expect(seen).toEqual(['start-store']);
  });

  it('after detach(), a blocking run() makes the callback in the async resource of its attached start(), with args set since, and a throw reaches the error handler', () => {
    const inits = new Set<number>();
    const hook = createHook({
      init(id, type) {
        if (type === 'evkit.Watcher') inits.add(id);
      },
    }).enable();
    try {
      const loop = attachedLoop();
      const als = new AsyncLocalStorage<string>();
      const seen: unknown[] = [];
      const repeating = als.run('start-store', () =>
        new TestTimer(loop, 0.001, 0.001).start(function (this: TestTimer, a: string) {
          seen.push(als.getStore(), a, this === repeating, inits.has(executionAsyncId()));
          this.stop();
        }, 'from start'),
      );
      repeating.args = ['set after'];
      const errors: unknown[] = [];
      loop.errorHandler = (error) => {
        errors.push(error);
      };
      als.run('thrower-store', () =>
        new TestTimer(loop, 0.002, 0.002).start(function (this: TestTimer) {
          this.stop();
          throw new Error(`thrown in ${als.getStore()}`);
        }),
      );
      loop.detach();
      loop.run();
      expect(seen).toEqual(['start-store', 'set after', true, true]);
      expect(errors.map((e) => (e as Error).message)).toEqual(['thrown in thrower-store']);
    } finally {
      hook.disable();
    }
  });

  it('each start() on an attached loop is an async resource: its callbacks run in it, and it is destroyed once the watcher stops, closes or is done', async () => {
    const inits = new Set<number>();
    const destroyed = new Set<number>();
    const hook = createHook({
      init(id, type) {
        if (type === 'evkit.Watcher') inits.add(id);
      },
      destroy(id) {
        if (inits.has(id)) destroyed.add(id);
      },
    }).enable();
    try {
      const loop = attachedLoop();
      const fired = signal<number>();
      new TestTimer(loop, 0).start(() => fired.fire(executionAsyncId()));
      new TestTimer(loop, 60).start(() => {}).stop();
      new TestTimer(loop, 60).start(() => {}).close();
      const twice = new TestTimer(loop, 60).start(() => {});
      twice.start(() => {});
      const insideId = await fired.done;
      expect(inits.has(insideId)).toBe(true);
      twice.close();
      // Node runs destroy hooks from an immediate after the destroys.
      for (let turn = 0; turn < 1000 && destroyed.size < inits.size; turn++) await afterBatch();
      expect(inits.size).toBe(5);
      expect([...destroyed].sort()).toEqual([...inits].sort());
    } finally {
      hook.disable();
    }
  });

  it('depth is 1 inside a callback and 0 outside; now() is frozen during a batch', async () => {
    const loop = attachedLoop();
    const seen: number[] = [];
    const ran = signal();
    new TestTimer(loop, 0.005).start(() => {
      ran.fire();
      const before = loop.now();
      const until = performance.now() + 5;
      while (performance.now() < until) {
        /* busy */
      }
      seen.push(loop.depth, loop.now() - before);
    });
    expect(loop.depth).toBe(0);
    await ran.done;
    expect(seen).toEqual([1, 0]);
  });

  it('errors go to errorHandler with the watcher as context', async () => {
    const loop = attachedLoop();
    const seen: unknown[] = [];
    const handled = signal();
    loop.errorHandler = (error, context) => {
      seen.push(error, context);
      handled.fire();
    };
    const boom = new Error('boom');
    const t = new TestTimer(loop, 0.005).start(() => {
      throw boom;
    });
    await handled.done;
    expect(seen).toEqual([boom, t]);
  });
});

describe('the loop thread sees changes made outside callbacks', () => {
  it('a timer started from a Node timer after an idle spell fires after its full delay', async () => {
    const loop = attachedLoop();
    const keeper = new TestTimer(loop, 10).start(() => {}); // loop thread blocked for 10 s
    await delay(500);
    const started = performance.now();
    const firedAfter = await new Promise<number>((resolve) => {
      new TestTimer(loop, 0.2).start(() => resolve(performance.now() - started));
    });
    expect(firedAfter).toBeGreaterThanOrEqual(195);
    // Had the loop thread not seen the new timer, it would have slept on the keeper's 10 s.
    expect(firedAfter).toBeLessThan(LONG_BEFORE_MS);
    keeper.stop();
  });

  it('of many starts in a row while it sleeps, the last one counts too (one wake-up serves them all)', async () => {
    const loop = attachedLoop();
    const keeper = new TestTimer(loop, 10).start(() => {}); // loop thread blocked for 10 s
    await delay(20);
    const started = performance.now();
    const later = Array.from({ length: 1000 }, () => new TestTimer(loop, 60).start(() => {}));
    const firedAfter = await new Promise<number>((resolve) => {
      new TestTimer(loop, 0).start(() => resolve(performance.now() - started));
    });
    // Had the wake-up pending from the first start not covered the last, the
    // loop thread would have slept on the keeper's 10 s.
    expect(firedAfter).toBeLessThan(LONG_BEFORE_MS);
    for (const timer of later) expect(timer.active).toBe(true);
    for (const timer of later) timer.stop();
    keeper.stop();
  });

  it('runCallback from outside wakes the loop at once', async () => {
    const loop = attachedLoop();
    const keeper = new TestTimer(loop, 10).start(() => {});
    await delay(20);
    const started = performance.now();
    const ranAfter = await new Promise<number>((resolve) => loop.runCallback(() => resolve(performance.now() - started)));
    expect(ranAfter).toBeLessThan(LONG_BEFORE_MS); // not woken, it would have waited for the keeper's 10 s
    keeper.stop();
  });
});

describe('no deadlock, wherever a change comes from', () => {
  it('start/stop/priority/ref from callbacks, promise continuations and Node callbacks', async () => {
    const loop = attachedLoop();
    const other = new TestIdle(loop);
    let rounds = 0;
    const t = new TestTimer(loop, 0, 0.001).start(async () => {
      other.start(() => {});
      other.unref().ref();
      other.stop();
      other.priority = (rounds % 5) - 2;
      await Promise.resolve();
      other.start(() => {});
      other.stop();
      const p = new TestPrepare(loop).start(() => {});
      p.close();
      if (++rounds === 50) t.stop();
    });
    const node = setInterval(() => {
      other.start(() => {});
      other.stop();
      loop.ref();
      loop.unref();
    }, 1);
    await loop.runAsync();
    clearInterval(node);
    expect(rounds).toBe(50);
  });

  it('100,000 start/stop pairs from JS while the loop thread is busy', async () => {
    const loop = attachedLoop();
    const busy = new TestIdle(loop, { ref: false }).start(() => {});
    const w = new TestTimer(loop, 1);
    for (let i = 0; i < 100_000; i++) {
      w.start(() => {});
      w.stop();
    }
    // A deadlock would hang above (the test timeout catches it); how fast it went is not the point.
    expect([w.active, loop.activeCount]).toEqual([false, 1]);
    busy.stop();
  });

  it.each(['callback', 'promise continuation', 'Node callback'])('destroy() from a %s returns promptly', async (where) => {
    const loop = new Loop().attach();
    new TestTimer(loop, 60).start(() => {}); // the loop thread blocks in the kernel
    const done = new Promise<number>((resolve) => {
      const destroy = () => {
        const started = performance.now();
        loop.destroy();
        resolve(performance.now() - started);
      };
      if (where === 'callback') new TestTimer(loop, 0.01).start(destroy);
      else if (where === 'promise continuation') new TestTimer(loop, 0.01).start(() => Promise.resolve().then(destroy));
      else setTimeout(destroy, 10);
    });
    expect(await done).toBeLessThan(LONG_BEFORE_MS); // the loop thread was blocked on a 60 s timer
    expect(loop.destroyed).toBe(true);
    await delay(10);
  });

  it('destroy() returns long before the 60 s timer the loop thread waits on', async () => {
    const loop = new Loop().attach();
    new TestTimer(loop, 60).start(() => {});
    await delay(50); // most likely in the kernel by now; destroy() must be prompt from any state
    const started = performance.now();
    loop.destroy();
    expect(performance.now() - started).toBeLessThan(LONG_BEFORE_MS);
  });

  it('detach() from a callback: the rest of its batch waits for the next run()', async () => {
    const loop = attachedLoop();
    const fired: string[] = [];
    const detached = signal<boolean>();
    const onFire = (name: string) => () => {
      fired.push(name);
      if (fired.length === 1) {
        loop.detach();
        detached.fire(loop.attached);
      }
    };
    const a = new TestTimer(loop, 0);
    const b = new TestTimer(loop, 0);
    // Started from a callback, so that the loop thread finds both expired in one iteration.
    loop.runCallback(() => {
      a.start(onFire('a'));
      b.start(onFire('b'));
    });
    expect(await detached.done).toBe(false);
    await afterBatch();
    expect(fired).toHaveLength(1);
    expect([a.pending || b.pending, loop.activeCount]).toEqual([true, 0]);
    expect(loop.run({ once: true })).toBe(false);
    expect(fired.sort()).toEqual(['a', 'b']);
  });

  it('detach() from a promise continuation settled between callbacks', async () => {
    const loop = attachedLoop();
    await new Promise<void>((resolve) => new TestTimer(loop, 0.001).start(resolve));
    loop.detach(); // this continuation runs inside the delivery of the timer's batch
    expect(loop.attached).toBe(false);
    let fired = 0;
    new TestTimer(loop, 0.001).start(() => fired++);
    loop.run();
    expect(fired).toBe(1);
    loop.attach(); // still inside that delivery
    await new Promise<void>((resolve) => new TestTimer(loop, 0.001).start(resolve));
    expect(loop.attached).toBe(true);
  });
});
