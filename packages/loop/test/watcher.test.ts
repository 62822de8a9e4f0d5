// The Watcher base, through a minimal kind. Invariants (libuv's
// test-loop-handles.c style):
// - constructors never start; start() on an active watcher only replaces
//   callback and args; stop() clears pending and releases callback and args;
// - close() is idempotent and final; every other method then throws;
// - priority changes only while neither active nor pending;
// - hasRef() tells whether the watcher keeps its loop alive right now.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CUSTOM, EvError, IDLE, Loop, LoopDestroyedError, WatcherClosedError } from '@evkit/loop';
import { useFreshLoop } from '@evkit/test-utils';
import { TestIdle, TestPrepare } from './helpers.js';

describe('Watcher', () => {
  const fresh = useFreshLoop();

  it('is not started by its constructor', () => {
    const loop = fresh();
    const w = new TestIdle(loop);
    expect([w.active, w.pending, w.callback, w.args, w.priority, w.loop]).toEqual([false, false, null, null, 0, loop]);
    expect(loop.run()).toBe(false);
  });

  it('start() needs a function', () => {
    const w = new TestIdle(fresh());
    expect(() => w.start(null as never)).toThrow(TypeError);
    expect(() => w.start(5 as never)).toThrow(/callback must be a function, got 5/);
    expect(w.active).toBe(false);
  });

  it('calls the callback with its args and the watcher as this', () => {
    const loop = fresh();
    let seen: unknown[] = [];
    const w = new TestIdle<[number, string]>(loop).start(function (this: unknown, a, b) {
      seen = [this, a, b];
      w.stop();
    }, 1, 'two');
    expect(w.args).toEqual([1, 'two']);
    loop.run();
    expect(seen).toEqual([w, 1, 'two']);
  });

  it('start() on an active watcher only replaces callback and args', () => {
    const loop = fresh();
    const log: string[] = [];
    const w = new TestIdle(loop).start(() => log.push('first'));
    w.start((x: unknown) => {
      log.push(`second ${String(x)}`);
      w.stop();
    }, 'y');
    expect(loop.activeCount).toBe(1);
    loop.run();
    expect(log).toEqual(['second y']);
  });

  it('stop() releases callback and args; stopping twice is harmless', () => {
    const w = new TestIdle(fresh()).start(() => {}, 1);
    w.stop().stop();
    expect([w.active, w.callback, w.args]).toEqual([false, null, null]);
  });

  it('callback and args are settable and validated', () => {
    const w = new TestIdle(fresh()).start(() => {});
    expect(w.args).toEqual([]);
    w.args = [1, 2, 3];
    expect(w.args).toEqual([1, 2, 3]);
    expect(() => {
      w.args = 5 as never;
    }).toThrow(TypeError);
    expect(w.args).toEqual([1, 2, 3]);
    w.args = null;
    expect(w.args).toBe(null);
    const f = () => {};
    w.callback = f;
    expect(w.callback).toBe(f);
    expect(() => {
      w.callback = false as never;
    }).toThrow(TypeError);
    expect(w.callback).toBe(f);
    w.stop();
  });

  it('passes no arguments when args was set to null', () => {
    const loop = fresh();
    let count = -1;
    const w = new TestIdle(loop).start((...rest: unknown[]) => {
      count = rest.length;
      w.stop();
    }, 'dropped');
    w.args = null;
    loop.run();
    expect(count).toBe(0);
  });

  it('close() is idempotent and final', () => {
    const loop = fresh();
    const w = new TestIdle(loop).start(() => {});
    w.close();
    w.close();
    w[Symbol.dispose]();
    expect(w.closed).toBe(true);
    expect(loop.activeCount).toBe(0);
    for (const op of [
      () => w.active,
      () => w.pending,
      () => w.hasRef(),
      () => w.priority,
      () => w.callback,
      () => w.args,
      () => w.loop,
      () => w.start(() => {}),
      () => w.stop(),
      () => w.feed(CUSTOM),
      () => w.ref(),
      () => w.unref(),
      () => {
        w.priority = 1;
      },
      () => {
        w.callback = () => {};
      },
      () => {
        w.args = [];
      },
    ]) {
      expect(op).toThrow(WatcherClosedError);
    }
    expect(new WatcherClosedError('Idle')).toBeInstanceOf(EvError);
    expect(inspect(w)).toBe('<TestIdle closed>');
  });

  it('supports `using` disposal', () => {
    const loop = fresh();
    {
      using w = new TestIdle(loop).start(() => {});
      expect(w.active).toBe(true);
    }
    expect(loop.activeCount).toBe(0);
  });

  it('priority: integer in -2..2, only while inactive and not pending', () => {
    const loop = fresh();
    const w = new TestIdle(loop, { priority: -2 });
    expect(w.priority).toBe(-2);
    w.priority = 2;
    expect(w.priority).toBe(2);
    for (const bad of [3, -3, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => {
        w.priority = bad;
      }).toThrow(RangeError);
    }
    expect(() => {
      w.priority = '1' as never;
    }).toThrow(TypeError);
    w.start(() => {});
    expect(() => {
      w.priority = 1;
    }).toThrow(/Cannot set priority of an active or pending/);
    w.stop();
    w.callback = () => {};
    w.feed(CUSTOM);
    expect(() => {
      w.priority = 0;
    }).toThrow(EvError);
    w.stop();
    w.priority = 1;
    expect(w.priority).toBe(1);
    expect(() => new TestIdle(loop, { priority: 5 })).toThrow(RangeError);
    // libev keeps a stopped watcher's pending slot until the next invoke.
    loop.run({ nowait: true });
  });

  it('feed() makes an inactive watcher pending; it runs once', () => {
    const loop = fresh();
    const got: unknown[] = [];
    const w = new TestIdle(loop);
    expect(() => w.feed(CUSTOM)).toThrow(/needs a callback/);
    w.callback = (x: unknown) => got.push(x);
    w.args = ['x'];
    w.feed(CUSTOM);
    expect([w.pending, w.active]).toEqual([true, false]);
    expect(loop.pendingCount).toBe(1);
    loop.run();
    expect(got).toEqual(['x']);
    expect([w.pending, w.active, w.callback, w.args]).toEqual([false, false, null, null]);
    expect(() => w.feed(1.5)).toThrow(RangeError);
    expect(() => w.feed('1' as never)).toThrow(TypeError);
  });

  it('stop() clears a pending event', () => {
    const loop = fresh();
    let ran = false;
    const w = new TestIdle(loop);
    w.callback = () => {
      ran = true;
    };
    w.feed(CUSTOM);
    w.stop();
    expect(w.pending).toBe(false);
    loop.run();
    expect(ran).toBe(false);
  });

  it('passes revents to fire() for kinds that want them', () => {
    const loop = fresh();
    let seen = 0;
    class EventsIdle extends TestIdle {
      protected override fire(_callback: unknown, _args: unknown, revents: number): void {
        seen = revents;
        this.stop();
      }
    }
    new EventsIdle(loop).start(() => {});
    loop.run();
    expect(seen).toBe(IDLE);
  });

  it('rejects a non-Loop and bad options', () => {
    expect(() => new TestIdle({} as never)).toThrow(TypeError);
    expect(() => new TestIdle(null as never)).toThrow(TypeError);
    const loop = fresh();
    expect(() => new TestIdle(loop, 5 as never)).toThrow(TypeError);
    expect(() => new TestIdle(loop, { ref: 'no' as never })).toThrow(TypeError);
    expect(() => new TestIdle(loop, { priority: Number.NaN })).toThrow(RangeError);
  });

  it('cannot be created on a destroyed loop', () => {
    const loop = new Loop();
    loop.destroy();
    expect(() => new TestIdle(loop)).toThrow(LoopDestroyedError);
  });

  it('inspect shows state', () => {
    const loop = fresh();
    const w = new TestPrepare(loop, { priority: 1, ref: false }).start(() => {});
    expect(inspect(w)).toBe('<TestPrepare active priority=1 unref>');
    w.stop();
    expect(inspect(w)).toBe('<TestPrepare priority=1 unref>');
  });
});

describe('keep-alive', () => {
  const fresh = useFreshLoop();

  it('an unref()d active watcher does not keep run() alive (Perl EV t/03_keepalive.t)', () => {
    const loop = fresh();
    const w = new TestPrepare(loop, { ref: false }).start(() => {});
    expect(w.hasRef()).toBe(false);
    expect(loop.refCount).toBe(0);
    let calls = 0;
    w.callback = () => calls++;
    expect(loop.run()).toBe(true);
    expect(calls).toBe(1); // one iteration: run() returned at once
    w.stop();
  });

  it('unref() after start works, ref() brings it back', () => {
    const loop = fresh();
    const w = new TestPrepare(loop).start(() => {});
    expect([w.hasRef(), loop.refCount]).toEqual([true, 1]);
    w.unref();
    expect([w.hasRef(), loop.refCount]).toEqual([false, 0]);
    expect(loop.run()).toBe(true);
    w.ref();
    expect([w.hasRef(), loop.refCount]).toEqual([true, 1]);
    w.unref().unref().ref().ref();
    expect(loop.refCount).toBe(1);
    w.stop();
    expect([w.hasRef(), loop.refCount]).toEqual([false, 0]);
  });

  it('the ref setting survives stop/start', () => {
    const loop = fresh();
    const w = new TestPrepare(loop).unref();
    w.start(() => {});
    expect(loop.refCount).toBe(0);
    w.stop();
    w.start(() => {});
    expect(loop.refCount).toBe(0);
    expect(loop.activeCount).toBe(1);
    w.stop();
  });

  it('hasRef() is false after a watcher stopped itself, and the counts are clean', () => {
    const loop = fresh();
    const w = new TestIdle(loop).start(() => w.stop());
    const u = new TestIdle(loop, { ref: false }).start(() => u.stop());
    loop.runCallback(() => {});
    loop.run();
    expect([w.hasRef(), u.hasRef(), loop.refCount, loop.activeCount]).toEqual([false, false, 0, 0]);
  });
});
