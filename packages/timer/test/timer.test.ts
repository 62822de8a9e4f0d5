// Timer semantics. Invariants:
// - a timer never fires early; a one-shot timer fires once and is left clean
//   (inactive, not pending, callback and args released, loop counts at 0);
// - start() on an inactive timer counts `after` from now again;
// - expired timers fire in priority order, then by expiry.
import { AsyncLocalStorage } from 'node:async_hooks';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { binding } from '@evkit/core-native/binding';
import { EvError, Loop, LoopDestroyedError, WatcherClosedError } from '@evkit/loop';
import { Check, Idle, Prepare } from '@evkit/prepare-check';
import { Timer } from '@evkit/timer';
import { QUIET_MACHINE, countIterations, logRetry, useFreshLoop } from '@evkit/test-utils';

const busyWait = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* let time pass without the loop noticing */
  }
};

describe('Timer', () => {
  const fresh = useFreshLoop();

  it('again(callback) on an attached loop runs the callback in the caller’s AsyncLocalStorage context, as start() does', async () => {
    const loop = fresh();
    loop.attach();
    const als = new AsyncLocalStorage<string>();
    const store = await new Promise<string | undefined>((resolve) => {
      const timer = new Timer(loop, 0, 0.005);
      als.run('again-store', () => timer.again(() => {
        timer.stop();
        resolve(als.getStore());
      }));
    });
    expect(store).toBe('again-store');
  });

  it('util.inspect shows after and repeat, and remaining while active', () => {
    const timer = new Timer(fresh(), 1.5, 2);
    expect(inspect(timer)).toBe('<Timer after=1.5 repeat=2>');
    timer.start(() => {});
    expect(inspect(timer)).toMatch(/^<Timer after=1\.5 repeat=2 remaining=1\.\d{3} active>$/);
    timer.stop();
  });

  it('run() returns after about `after` seconds', () => {
    const loop = fresh();
    let fired = 0;
    // Read before start(): a busy machine may pause this thread between the two,
    // and a clock read after start() would make the timer look early.
    const started = performance.now();
    new Timer(loop, 0.2).start(() => fired++);
    expect(loop.run()).toBe(false);
    const elapsed = performance.now() - started;
    expect(fired).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(elapsed).toBeLessThan(5000); // a hang guard: no other watcher could end run() sooner
  });

  it('a 0.001 s timer fires exactly once and leaves the watcher clean', () => {
    const loop = fresh();
    const calls: unknown[][] = [];
    const x = new Timer(loop, 0.001);
    x.start((...args: unknown[]) => calls.push(args), 'a');
    loop.run();
    expect(calls).toEqual([['a']]);
    expect([x.active, x.pending, x.callback, x.args, x.priority, x.hasRef()]).toEqual([false, false, null, null, 0, false]);
    expect([loop.activeCount, loop.refCount]).toEqual([0, 0]);
    x.priority = 1;
    expect(x.priority).toBe(1);
    expect(loop.run()).toBe(false);
    expect(calls).toHaveLength(1);
  });

  it('again() uses repeat as the new timeout', () => {
    const loop = fresh();
    const called: number[] = [];
    const x = new Timer<[Timer]>(loop, 0.001, 0.3);
    const started = performance.now(); // before again(), which reads the clock
    x.again((t) => {
      called.push(1);
      t.stop();
    }, x);
    expect(x.args).toEqual([x]);
    loop.run();
    expect(called).toEqual([1]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
  });

  it('again() on an active non-repeating timer stops it; on a repeating one re-arms it', () => {
    const loop = fresh();
    const once = new Timer(loop, 10).start(() => {});
    once.again();
    expect(once.active).toBe(false);
    expect(loop.refCount).toBe(0);
    const repeating = new Timer(loop, 10, 0.05).start(() => repeating.stop());
    repeating.again();
    expect(repeating.remaining).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(repeating.remaining).toBeGreaterThan(0);
    loop.run();
    expect(repeating.active).toBe(false);
  });

  it('stays alive without outside references while started', () => {
    const loop = fresh();
    const lst: unknown[] = [];
    (() => {
      const timer = new Timer(loop, 0);
      timer.start((l: unknown[]) => lst.push(...[[], 25]), lst);
    })();
    loop.run();
    expect(lst).toEqual([[], 25]);
  });

  it('break() inside a repeating timer makes run() return; the timer stays active', () => {
    const loop = fresh();
    const depths: number[] = [];
    const t = new Timer(loop, 0, 0.001).start(() => {
      depths.push(loop.depth);
      if (depths.length === 3) loop.break();
    });
    expect(loop.run()).toBe(true);
    expect(depths).toEqual([1, 1, 1]);
    expect(loop.depth).toBe(0);
    expect(t.active).toBe(true);
    t.stop();
  });

  it('never fires early and repeats at most once per iteration', () => {
    const loop = fresh();
    const times: number[] = [];
    const started = loop.now();
    const t = new Timer(loop, 0.05, 0.01).start(() => {
      times.push(loop.now() - started);
      busyWait(35); // fall behind: the repeat is rebased, not fired in a burst
      if (times.length === 4) t.stop();
    });
    loop.run();
    expect(times[0]).toBeGreaterThanOrEqual(0.05);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(0.01);
  });

  it('start() on a fired timer counts `after` from now again', () => {
    const loop = fresh();
    const times: number[] = [];
    const started = performance.now();
    const t = new Timer(loop, 0.05);
    const restart = () => {
      times.push(performance.now() - started);
      if (times.length < 3) t.start(restart);
    };
    t.start(restart);
    loop.run();
    expect(times).toHaveLength(3);
    expect(times[2]).toBeGreaterThanOrEqual(145);
  });

  it('start() outside a callback uses a fresh clock after an idle spell', () => {
    const loop = fresh();
    loop.run({ nowait: true });
    busyWait(300); // libev's cached time is now 300 ms stale
    const t = new Timer(loop, 0.2);
    let firedAfter = 0;
    const started = performance.now();
    t.start(() => {
      firedAfter = performance.now() - started;
    });
    loop.run();
    expect(firedAfter).toBeGreaterThanOrEqual(195);
  });

  it('start() on an active timer only replaces callback and args', () => {
    const loop = fresh();
    const log: string[] = [];
    const t = new Timer(loop, 0.05).start(() => log.push('first'));
    const remaining = t.remaining;
    busyWait(20);
    t.start(() => log.push('second'));
    expect(t.remaining).toBeCloseTo(remaining, 5);
    loop.run();
    expect(log).toEqual(['second']);
  });

  it('expired timers fire in priority order, then by expiry', () => {
    const loop = fresh();
    const order: string[] = [];
    // Started inside one callback, all five count from the same cached loop
    // time (outside a callback each start() reads a fresh clock, and on a slow
    // machine T0@0.002 could then expire before T0@0.001).
    const starter = new Prepare(loop).start(() => {
      starter.stop();
      for (const [priority, after] of [[0, 0.002], [-2, 0], [1, 0.001], [2, 0.003], [0, 0.001]] as const) {
        new Timer(loop, after, 0, { priority }).start(() => order.push(`T${priority}@${after}`));
      }
      busyWait(10); // all expired before the loop looks
    });
    loop.run();
    expect(order).toEqual(['T2@0.003', 'T1@0.001', 'T0@0.001', 'T0@0.002', 'T-2@0']);
  });

  it('40,000 timers, more than the 2 MB of small chunks native blocks start in, fire by expiry and free their native halves for reuse', () => {
    const loop = fresh();
    const count = 40_000;
    const freedBefore = binding.debugCounts().watchersFreed;
    for (let round = 0; round < 2; round++) {
      // Expiries 1 µs apart, started in a shuffled order from one callback (one cached loop time).
      const slots = Array.from({ length: count }, (_, i) => i);
      for (let i = count - 1, seed = 7 + round; i > 0; i--) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const j = seed % (i + 1);
        [slots[i], slots[j]] = [slots[j]!, slots[i]!];
      }
      const fired: number[] = [];
      const starter = new Prepare(loop).start(() => {
        starter.stop();
        for (const slot of slots) new Timer(loop, -1 + slot * 1e-6).start(() => fired.push(slot));
      });
      loop.run();
      starter.close();
      expect(fired.length).toBe(count);
      expect(fired.every((slot, i) => slot === i)).toBe(true);
    }
    // A fired one-shot timer without a user reference frees its native half at once.
    expect(binding.debugCounts().watchersFreed - freedBefore).toBeGreaterThanOrEqual(2 * count);
  });

  it('a negative after fires on the next iteration', () => {
    const loop = fresh();
    let fired = false;
    new Timer(loop, -5).start(() => {
      fired = true;
    });
    loop.run({ once: true });
    expect(fired).toBe(true);
  });

  // One of the few tests that measure time: it needs a machine quiet enough for
  // two medians of 1 ms sleeps to mean something, so it may be retried once
  // (logged). Run it alone with -t TestTimerResolution when it retries.
  it('a 1 ms timer wakes run({ once }) about as soon as the OS wakes a 1 ms sleep (TestTimerResolution)', QUIET_MACHINE, (context) => {
    logRetry(context);
    // What gevent's TestTimerResolution guards against is a poll that sleeps
    // far past the next timer (a coarse timeout, a collect interval). A fixed
    // wall-clock bound per timer measured the machine instead: one late wake-up
    // on a loaded machine failed it. Here each sample is paired with a
    // reference, a 1 ms Atomics.wait on this same thread right after it, and
    // the medians are compared: a busy machine delays both alike.
    const loop = fresh();
    // An active referenced watcher makes run({ once: true }) block in the poll.
    const other = new Prepare(loop).start(() => {});
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const evkit: number[] = [];
    const reference: number[] = [];
    try {
      for (let i = 0; i < 150; i++) {
        const timer = new Timer(loop, 0.001);
        let at = 0;
        timer.start(() => {
          at = performance.now();
        });
        try {
          const started = performance.now();
          loop.run({ once: true });
          if (at !== 0) evkit.push(at - started);
        } finally {
          timer.close();
        }
        const slept = performance.now();
        Atomics.wait(cell, 0, 0, 1);
        reference.push(performance.now() - slept);
      }
    } finally {
      other.stop();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    expect(evkit.length).toBeGreaterThan(0);
    expect(median(evkit), `reference median ${median(reference).toFixed(2)} ms`).toBeLessThan(2 * median(reference) + 5);
  });

  it('after, repeat and remaining', () => {
    const loop = fresh();
    const t = new Timer(loop, 5, 2);
    expect([t.after, t.repeat]).toEqual([5, 2]);
    expect(t.remaining).toBe(5);
    t.after = 1;
    t.start(() => {});
    expect(t.remaining).toBeGreaterThan(0.9);
    expect(t.remaining).toBeLessThanOrEqual(1 + 1e-9);
    expect(() => {
      t.after = 2;
    }).toThrow(EvError);
    t.repeat = 0.5;
    expect(t.repeat).toBe(0.5);
    t.again();
    expect(t.remaining).toBeLessThanOrEqual(0.5 + 1e-9);
    t.stop();
  });

  it('an unref()d timer does not keep run() alive', () => {
    const loop = fresh();
    let fired = false;
    const t = new Timer(loop, 10, 0, { ref: false }).start(() => {
      fired = true;
    });
    const iterations = countIterations(loop);
    expect(loop.run()).toBe(true);
    expect(iterations.count).toBe(1); // at once: kept alive, it would have waited 10 s for the timer
    expect(fired).toBe(false);
    expect(t.hasRef()).toBe(false);
    iterations.stop();
    t.stop();
  });

  it('hasRef() and the loop counts are right after an unref()d one-shot timer fired', () => {
    const loop = fresh();
    const keeper = new Timer(loop, 0.02).start(() => {});
    const t = new Timer(loop, 0, 0, { ref: false }).start(() => {});
    loop.run();
    expect([t.active, t.hasRef(), keeper.active, loop.refCount, loop.activeCount]).toEqual([false, false, false, 0, 0]);
  });
});

describe('loop phases with a timer', () => {
  const fresh = useFreshLoop();

  it("one run() goes prepare, callback, check, timer, idle", () => {
    const loop = fresh();
    const order: string[] = [];
    const once = (name: string) =>
      function (this: { stop(): void }) {
        order.push(name);
        this.stop();
      };
    new Prepare(loop).start(once('prepare'));
    loop.runCallback(() => order.push('callback'));
    new Check(loop).start(once('check'));
    new Timer(loop, 0).start(() => order.push('timer'));
    new Idle(loop).start(once('idle'));
    loop.run();
    expect(order).toEqual(['prepare', 'callback', 'check', 'timer', 'idle']);
  });
});

describe('Timer bad input', () => {
  const fresh = useFreshLoop();

  it.each([
    ['after NaN', () => new Timer(fresh(), Number.NaN), RangeError],
    ['after Infinity', () => new Timer(fresh(), Number.POSITIVE_INFINITY), RangeError],
    ['after -Infinity', () => new Timer(fresh(), Number.NEGATIVE_INFINITY), RangeError],
    ['after string', () => new Timer(fresh(), '1' as never), TypeError],
    ['after missing', () => new Timer(fresh(), undefined as never), TypeError],
    ['repeat negative (libev would abort)', () => new Timer(fresh(), 1, -1), RangeError],
    ['repeat NaN', () => new Timer(fresh(), 1, Number.NaN), RangeError],
    ['repeat Infinity', () => new Timer(fresh(), 1, Number.POSITIVE_INFINITY), RangeError],
    ['repeat null', () => new Timer(fresh(), 1, null as never), TypeError],
    ['priority 3', () => new Timer(fresh(), 1, 0, { priority: 3 }), RangeError],
    ['priority 1.5', () => new Timer(fresh(), 1, 0, { priority: 1.5 }), RangeError],
    ['ref non-boolean', () => new Timer(fresh(), 1, 0, { ref: 0 as never }), TypeError],
    ['loop not a Loop', () => new Timer({} as Loop, 1), TypeError],
  ])('%s', (_name, make, errorClass) => {
    expect(make).toThrow(errorClass);
  });

  it('setters validate', () => {
    const t = new Timer(fresh(), 1);
    expect(() => {
      t.repeat = -1;
    }).toThrow(RangeError);
    expect(() => {
      t.after = Number.NaN;
    }).toThrow(RangeError);
    expect(() => t.start(undefined as never)).toThrow(TypeError);
    expect(() => t.again()).not.toThrow(); // repeat 0 and inactive: nothing to do
  });

  it('closed timers and destroyed loops throw their errors', () => {
    const loop = new Loop();
    const t = new Timer(loop, 1);
    t.close();
    expect(() => t.start(() => {})).toThrow(WatcherClosedError);
    const u = new Timer(loop, 1).start(() => {});
    loop.destroy();
    expect(() => u.again()).toThrow(LoopDestroyedError);
    expect(() => u.remaining).toThrow(LoopDestroyedError);
    expect(() => new Timer(loop, 1)).toThrow(LoopDestroyedError);
  });
});
