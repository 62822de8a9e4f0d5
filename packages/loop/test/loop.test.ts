import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { supportedBackends } from '@evkit/core-native';
import { testing } from '@evkit/native-testing';
import { EvError, Loop, LoopDestroyedError } from '@evkit/loop';
import { useFreshLoop } from '@evkit/test-utils';
import { TestIdle, TestPrepare, TestTimer } from './helpers.js';

describe('new Loop()', () => {
  const fresh = useFreshLoop();

  it('picks backends by name or number', () => {
    const select = new Loop({ flags: 'select' });
    expect(select.backend).toBe('select');
    expect(select.backendInt).toBe(1);
    select.destroy();
    const poll = new Loop({ flags: 2 });
    expect(poll.backendInt).toBe(2);
    expect(poll.backend).toBe('poll');
    poll.destroy();
    const several = new Loop({ flags: ['kqueue', 'epoll'] });
    expect(several.backend).toBe('epoll');
    several.destroy();
    expect(fresh().backend).toBe(supportedBackends().includes('epoll') ? 'epoll' : fresh().backend);
  });

  it('rejects backends that are not supported here', () => {
    expect(() => new Loop({ flags: 'kqueue' })).toThrow(/^Unsupported backend: kqueue/);
    expect(() => new Loop({ flags: 'port' })).toThrow(Error);
  });

  it('rejects bad flag values with the documented classes', () => {
    expect(() => new Loop({ flags: 0x100 })).toThrow(RangeError);
    expect(() => new Loop({ flags: -1 })).toThrow(RangeError);
    expect(() => new Loop({ flags: 1.5 })).toThrow(RangeError);
    expect(() => new Loop({ flags: 0x40000000 })).toThrow(RangeError);
    expect(() => new Loop({ flags: {} as never })).toThrow(TypeError);
    expect(() => new Loop({ flags: 'nope' })).toThrow(TypeError);
    expect(() => new Loop('epoll' as never)).toThrow(TypeError);
    expect(() => new Loop({ unsafeForeignPointer: true })).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE' }));
  });

  it('is never the default loop and starts detached', () => {
    const loop = fresh();
    expect(loop.isDefault).toBe(false);
    expect(loop.attached).toBe(false);
    expect(loop.destroyed).toBe(false);
    expect(typeof loop.ptr).toBe('bigint');
    expect(loop.ptr).not.toBe(0n);
  });
});

describe('run()', () => {
  const fresh = useFreshLoop();

  it('returns at once on an empty loop, and again', () => {
    const loop = fresh();
    // Nothing could wake an empty loop: run() returns at once or never (the
    // test's timeout catches that); no wall-clock bound needed.
    expect(loop.run()).toBe(false);
    expect(loop.run()).toBe(false);
    expect(loop.run({ nowait: true })).toBe(false);
    expect(loop.run({ once: true })).toBe(false);
    expect(loop.activeCount).toBe(0);
  });

  it('has depth 1 inside a callback and 0 outside', () => {
    const loop = fresh();
    const seen: number[] = [];
    loop.runCallback(() => seen.push(loop.depth));
    expect(loop.depth).toBe(0);
    loop.run();
    expect(seen).toEqual([1]);
    expect(loop.depth).toBe(0);
  });

  it('freezes now() inside a callback until updateNow()', () => {
    const loop = fresh();
    const values: number[] = [];
    loop.runCallback(() => {
      values.push(loop.now());
      const until = Date.now() + 20;
      while (Date.now() < until) {
        /* let real time pass */
      }
      values.push(loop.now());
      loop.updateNow();
      values.push(loop.now());
    });
    loop.run();
    expect(values[1]).toBe(values[0]);
    expect(values[2]! - values[0]!).toBeGreaterThanOrEqual(0.015);
  });

  it('break() inside a callback makes run() return with the watcher still active', () => {
    const loop = fresh();
    let calls = 0;
    const idle = new TestIdle(loop).start(() => {
      calls++;
      if (calls === 3) loop.break();
    });
    expect(loop.run()).toBe(true);
    expect(calls).toBe(3);
    expect(idle.active).toBe(true);
    loop.break('all');
    loop.break('cancel');
    expect(() => loop.break('two' as never)).toThrow(RangeError);
    idle.close();
  });

  it('counts iterations', () => {
    const loop = fresh();
    const before = loop.iteration;
    let n = 0;
    const idle = new TestIdle(loop).start(() => {
      if (++n === 5) idle.stop();
    });
    loop.run();
    expect(loop.iteration - before).toBeGreaterThanOrEqual(5);
  });

  it('validates options', () => {
    const loop = fresh();
    expect(() => loop.run({ nowait: 1 as never })).toThrow(TypeError);
    expect(() => loop.run('once' as never)).toThrow(TypeError);
  });

  it('supports a nested run() from a callback', () => {
    const loop = fresh();
    const order: string[] = [];
    loop.runCallback(() => {
      order.push('outer');
      loop.runCallback(() => order.push('inner'));
      loop.run();
      order.push('after nested');
    });
    loop.run();
    expect(order).toEqual(['outer', 'inner', 'after nested']);
  });
});

describe('ref() / unref() and counts', () => {
  const fresh = useFreshLoop();

  it('counts active and referenced watchers', () => {
    const loop = fresh();
    const a = new TestPrepare(loop).start(() => {});
    const b = new TestPrepare(loop, { ref: false }).start(() => {});
    expect(loop.activeCount).toBe(2);
    expect(loop.refCount).toBe(1);
    loop.ref();
    expect(loop.refCount).toBe(2);
    loop.unref();
    expect(loop.refCount).toBe(1);
    a.stop();
    b.stop();
    expect([loop.activeCount, loop.refCount]).toEqual([0, 0]);
  });

  it('inside a batch, expired one-shots whose callbacks have not run yet are no longer counted', () => {
    const loop = fresh();
    const a = new TestTimer(loop, -1);
    const b = new TestTimer(loop, -1, 0, { ref: false });
    const seen: unknown[] = [];
    const record = () => seen.push([a.active, b.active, loop.activeCount, loop.refCount]);
    a.start(record);
    b.start(record);
    loop.run({ nowait: true });
    expect(seen).toEqual([
      [false, false, 0, 0],
      [false, false, 0, 0],
    ]);
    loop.verify();
  });

  it('an unref()d watcher lets run() return while it stays active', () => {
    const loop = fresh();
    const w = new TestPrepare(loop).start(() => {});
    w.unref();
    expect(loop.refCount).toBe(0);
    expect(loop.run()).toBe(true);
    expect(w.active).toBe(true);
    w.stop();
  });

  it('unref() beyond the outstanding ref() calls throws and changes nothing', () => {
    const loop = fresh();
    const w = new TestPrepare(loop).start(() => {});
    for (let i = 0; i < 3; i++) {
      expect(() => loop.unref()).toThrow(expect.objectContaining({ name: 'EvError', code: 'ERR_EVKIT_UNREF' }));
    }
    expect(loop.refCount).toBe(1);
    loop.verify();
    loop.ref();
    loop.unref();
    expect(() => loop.unref()).toThrow(EvError);
    expect(loop.refCount).toBe(1);
    w.stop();
    expect(() => loop.unref()).toThrow(EvError);
    loop.verify();
    expect(loop.run()).toBe(false); // returns at once: nothing is negative
  });
});

describe('destroy()', () => {
  it('stops and closes every watcher; everything else throws LoopDestroyedError', () => {
    const loop = new Loop();
    const w = new TestPrepare(loop).start(() => {});
    const cb = loop.runCallback(() => {});
    loop.destroy();
    expect(loop.destroyed).toBe(true);
    expect(loop.ptr).toBe(0n);
    expect(loop.isDefault).toBe(false);
    expect(w.closed).toBe(true);
    expect(cb.pending).toBe(false);
    for (const op of [
      () => w.active,
      () => w.pending,
      () => w.loop,
      () => loop.run(),
      () => loop.now(),
      () => loop.updateNow(),
      () => loop.backend,
      () => loop.backendInt,
      () => loop.iteration,
      () => loop.depth,
      () => loop.pendingCount,
      () => loop.activeCount,
      () => loop.refCount,
      () => loop.ref(),
      () => loop.unref(),
      () => loop.verify(),
      () => loop.reinit(),
      () => loop.break(),
      () => loop.attached,
      () => loop.runCallback(() => {}),
      () => w.start(() => {}),
      () => w.stop(),
      () => w.feed(1),
      () => w.ref(),
      () => new TestIdle(loop),
    ]) {
      expect(op).toThrow(LoopDestroyedError);
    }
    expect(new LoopDestroyedError()).toBeInstanceOf(EvError);
    expect(() => loop.destroy()).not.toThrow();
    expect(inspect(loop)).toContain('destroyed');
    w.close();
  });

  it('Symbol.dispose destroys it (`using loop = new Loop()`), and twice is harmless', () => {
    const loop = new Loop();
    loop[Symbol.dispose]();
    expect(loop.destroyed).toBe(true);
    expect(() => loop[Symbol.dispose]()).not.toThrow();
  });

  it('from inside a callback finishes after the batch and run() returns', () => {
    const loop = new Loop();
    const ran: string[] = [];
    const w = new TestIdle(loop).start(() => {
      ran.push('idle');
      loop.destroy();
    });
    loop.runCallback(() => ran.push('callback'));
    expect(loop.run()).toBe(false);
    expect(ran).toEqual(['callback', 'idle']);
    expect(loop.destroyed).toBe(true);
    expect(w.closed).toBe(true);
  });

  it('from inside a runCallback drops the rest of the queue', () => {
    const loop = new Loop();
    const ran: number[] = [];
    loop.runCallback(() => {
      ran.push(1);
      loop.destroy();
    });
    const second = loop.runCallback(() => ran.push(2));
    loop.run();
    expect(ran).toEqual([1]);
    expect(second.pending).toBe(false);
  });
});

describe('ptr views', () => {
  const fresh = useFreshLoop();

  it('new Loop({ ptr }) is a non-owning view of the same loop', () => {
    const loop = fresh();
    const view = new Loop({ ptr: loop.ptr });
    expect(view.ptr).toBe(loop.ptr);
    expect(view.backend).toBe(loop.backend);
    const ran: string[] = [];
    view.runCallback(() => ran.push('via view'));
    expect(loop.refCount).toBe(1);
    loop.run();
    expect(ran).toEqual(['via view']);
    view.destroy();
    expect(view.destroyed).toBe(true);
    expect(loop.destroyed).toBe(false);
    expect(() => view.now()).toThrow(LoopDestroyedError);
    expect(loop.run()).toBe(false);
    expect(inspect(new Loop({ ptr: loop.ptr }))).toContain('view');
  });

  it('a view of a destroyed loop is destroyed too', () => {
    const loop = new Loop();
    const view = new Loop({ ptr: loop.ptr });
    loop.destroy();
    expect(view.destroyed).toBe(true);
    expect(() => view.run()).toThrow(LoopDestroyedError);
  });

  it('rejects unknown addresses unless unsafeForeignPointer is given', () => {
    const loop = fresh();
    const stale = new Loop();
    const stalePtr = stale.ptr;
    stale.destroy();
    expect(() => new Loop({ ptr: 0x1234n })).toThrow(RangeError);
    expect(() => new Loop({ ptr: stalePtr === loop.ptr ? 0x10n : stalePtr })).toThrow(RangeError);
    expect(() => new Loop({ ptr: 0n })).toThrow(RangeError);
    expect(() => new Loop({ ptr: -5n })).toThrow(RangeError);
    expect(() => new Loop({ ptr: 5 as never })).toThrow(TypeError);
    expect(() => new Loop({ ptr: loop.ptr, unsafeForeignPointer: 'yes' as never })).toThrow(TypeError);
  });

  it('gives a view, not a foreign wrap, for an evkit loop even with unsafeForeignPointer', () => {
    const owner = fresh();
    const view = new Loop({ ptr: owner.ptr, unsafeForeignPointer: true });
    expect(inspect(view)).toContain('view');
    view.destroy();
    expect(owner.destroyed).toBe(false);
  });

  it('wraps a foreign ev_loop* it neither owns nor destroys (native interop)', () => {
    const raw = testing.rawLoopNew();
    const foreign = new Loop({ ptr: raw, unsafeForeignPointer: true });
    expect(foreign.ptr).toBe(raw);
    expect(foreign.backend).toMatch(/epoll|poll|select|iouring/);
    expect(() => foreign.attach()).toThrow(/cannot be attached/);
    // Watchers evkit starts on it run when its owner runs it.
    let ran = 0;
    const idle = new TestIdle(foreign).start(() => ran++);
    foreign.runCallback(() => ran++);
    testing.rawLoopRunNowait(raw);
    expect(ran).toBe(2);
    idle.stop();
    expect(foreign.run()).toBe(false);
    foreign.destroy();
    expect(foreign.destroyed).toBe(true);
    // The loop itself is untouched: its owner can still run and destroy it.
    expect(testing.rawLoopRunNowait(raw)).toBe(0);
    testing.rawLoopDestroy(raw);
  });
});

describe('inspect', () => {
  const fresh = useFreshLoop();

  it('shows backend, pending count and ref count', () => {
    const loop = fresh();
    expect(inspect(loop)).toMatch(/^<Loop epoll pending=0 ref=0>$|^<Loop \w+ pending=0 ref=0>$/);
  });
});

describe('verify() and reinit()', () => {
  const fresh = useFreshLoop();

  it('run without error on a live loop', () => {
    const loop = fresh();
    expect(() => loop.verify()).not.toThrow();
    expect(() => loop.reinit()).not.toThrow();
    expect(loop.run({ nowait: true })).toBe(false);
  });
});
