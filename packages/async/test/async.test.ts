// Async semantics on one thread (after libev's t/08_async.t):
// - sends coalesce: several before the loop iterates give one callback;
// - `sent` is true after send() and false inside the callback;
// - a send on a stopped watcher is lost (start() clears it);
// - senders are plain data, resolve by id, and report false once the watcher
//   or its loop is gone.
import { describe, expect, it } from 'vitest';
import { Loop, LoopDestroyedError, WatcherClosedError } from '@evkit/loop';
import { Async, AsyncSender } from '@evkit/async';
import { Timer } from '@evkit/timer';
import { countIterations, useFreshLoop } from '@evkit/test-utils';

describe('Async (blocking run)', () => {
  const fresh = useFreshLoop();

  it('several sends before the loop iterates give one callback', () => {
    const loop = fresh();
    const seen: boolean[] = [];
    const a = new Async(loop).start(() => seen.push(a.sent));
    a.send();
    a.send();
    a.send();
    expect(a.sent).toBe(true);
    expect(loop.run({ nowait: true })).toBe(true);
    expect(seen).toEqual([false]);
    expect(a.sent).toBe(false);
    loop.run({ nowait: true });
    expect(seen).toHaveLength(1);
    a.send();
    loop.run({ nowait: true });
    expect(seen).toHaveLength(2);
    a.stop();
  });

  it('sent is true after send() and false inside the callback', () => {
    const loop = fresh();
    const a = new Async(loop);
    expect(a.sent).toBe(false);
    const inside: boolean[] = [];
    a.start(() => {
      inside.push(a.sent);
      a.stop();
    });
    expect(a.sent).toBe(false);
    a.send();
    expect(a.sent).toBe(true);
    expect(loop.run()).toBe(false);
    expect(inside).toEqual([false]);
    expect(a.sent).toBe(false);
  });

  it('a send from inside its own callback wakes it again on the next iteration', () => {
    const loop = fresh();
    const sentAfter: boolean[] = [];
    let n = 0;
    const a = new Async(loop).start(() => {
      if (++n < 3) {
        a.send();
        sentAfter.push(a.sent);
      } else {
        a.stop();
      }
    });
    a.send();
    expect(loop.run()).toBe(false);
    expect(n).toBe(3);
    expect(sentAfter).toEqual([true, true]);
  });

  it('a send on a stopped watcher is lost: start() clears it', () => {
    const loop = fresh();
    let calls = 0;
    const a = new Async(loop);
    a.send();
    expect(a.sent).toBe(false);
    a.start(() => calls++);
    loop.run({ nowait: true });
    expect(calls).toBe(0);
    a.stop();
    a.send();
    expect(a.sender().send()).toBe(true); // reached, but dropped by the stopped watcher
    a.start(() => calls++);
    loop.run({ nowait: true });
    expect(calls).toBe(0);
    a.send();
    loop.run({ nowait: true });
    expect(calls).toBe(1);
    a.stop();
  });

  it('stop() after send() drops the pending send', () => {
    const loop = fresh();
    let calls = 0;
    const a = new Async(loop).start(() => calls++);
    a.send();
    a.stop();
    expect(a.sent).toBe(false);
    a.start(() => calls++);
    loop.run({ nowait: true });
    expect(calls).toBe(0);
    a.stop();
  });

  it('passes args, with the watcher as this; start() on an active one only replaces them', () => {
    const loop = fresh();
    const calls: unknown[][] = [];
    const a = new Async<[string]>(loop);
    a.start(function (this: Async<[string]>, x) {
      calls.push([this === a, x]);
      this.stop();
    }, 'first');
    a.start(function (this: Async<[string]>, x) {
      calls.push([this === a, x]);
      this.stop();
    }, 'second');
    a.send();
    loop.run();
    expect(calls).toEqual([[true, 'second']]);
    expect([a.active, a.callback, a.args]).toEqual([false, null, null]);
  });

  it('an active, referenced Async keeps run() alive; an unref()d one does not', () => {
    const loop = fresh();
    const a = new Async(loop).start(() => {});
    expect(a.hasRef()).toBe(true);
    expect(loop.refCount).toBe(1);
    a.unref();
    expect(a.hasRef()).toBe(false);
    expect(loop.refCount).toBe(0);
    const iterations = countIterations(loop);
    loop.run(); // returns at once: nothing referenced (kept alive, nothing would ever wake it)
    expect(iterations.count).toBe(1);
    const b = new Async(loop, { ref: false }).start(() => {});
    loop.run();
    expect(iterations.count).toBe(2);
    iterations.stop();
    a.stop();
    b.stop();
  });

  it('priorities order callbacks woken in the same iteration', () => {
    const loop = fresh();
    const order: string[] = [];
    const low = new Async(loop, { priority: -1 }).start(() => {
      order.push('low');
      low.stop();
    });
    const high = new Async(loop, { priority: 2 }).start(() => {
      order.push('high');
      high.stop();
    });
    low.send();
    high.send();
    loop.run();
    expect(order).toEqual(['high', 'low']);
  });

  it('a watcher that is not referenced anywhere still fires while active', () => {
    const loop = fresh();
    let fired = 0;
    const sender = (() => new Async(loop).start(function (this: Async) {
      fired++;
      this.stop();
    }).sender())();
    expect(sender.send()).toBe(true);
    loop.run();
    expect(fired).toBe(1);
  });

  it('send() of a never-started watcher of a fresh loop, then run(): no libev abort', () => {
    // libev asserts in ev_run when a send was made on a loop without a wake-up
    // fd; every evkit loop starts an internal ev_async at creation. (The same
    // in child processes for every backend: see process.test.ts.)
    const loop = new Loop();
    const a = new Async(loop);
    a.send();
    expect(a.sender().send()).toBe(true);
    expect(loop.run()).toBe(false);
    loop.destroy();
  });
});

describe('AsyncSender on the owning thread', () => {
  const fresh = useFreshLoop();

  it('is plain data that survives structured clone and wakes the watcher', () => {
    const loop = fresh();
    let calls = 0;
    const a = new Async(loop).start(() => calls++);
    const sender = a.sender();
    expect(sender).toBeInstanceOf(AsyncSender);
    expect(a.sender()).toBe(sender);
    expect(Object.keys(sender).sort()).toEqual(['id', 'pid', 'type']);
    expect(sender.type).toBe('evkit.AsyncSender');
    expect(typeof sender.id).toBe('bigint');
    expect(sender.pid).toBe(process.pid);
    expect(Object.isFrozen(sender)).toBe(true);
    const clone = structuredClone(sender);
    expect(clone).not.toBeInstanceOf(AsyncSender);
    expect(clone).toEqual({ type: 'evkit.AsyncSender', id: sender.id, pid: process.pid });
    const revived = AsyncSender.from(clone);
    expect(revived).toBeInstanceOf(AsyncSender);
    expect(AsyncSender.from(sender)).toBe(sender);
    expect(revived.send()).toBe(true);
    expect(a.sent).toBe(true);
    expect(sender.send()).toBe(true);
    loop.run({ nowait: true });
    expect(calls).toBe(1);
    a.stop();
  });

  it('ids are distinct per watcher and never reused', () => {
    const loop = fresh();
    const ids = new Set<bigint>();
    for (let i = 0; i < 20; i++) {
      const a = new Async(loop);
      ids.add(a.sender().id);
      a.close();
    }
    expect(ids.size).toBe(20);
    const next = new Async(loop).sender().id;
    expect(next).toBeGreaterThan(Math.max(...[...ids].map(Number)));
  });

  it('send() returns false after close()', () => {
    const loop = fresh();
    const a = new Async(loop).start(() => {});
    const sender = a.sender();
    const clone = structuredClone(sender);
    expect(sender.send()).toBe(true);
    a.close();
    expect(sender.send()).toBe(false);
    expect(AsyncSender.from(clone).send()).toBe(false);
    expect(loop.activeCount).toBe(0);
  });

  it('send() returns false after loop.destroy(), also when destroyed inside the callback', () => {
    const first = new Loop();
    const a = new Async(first).start(() => {});
    const sender = a.sender();
    first.destroy();
    expect(sender.send()).toBe(false);
    expect(() => a.sent).toThrow(LoopDestroyedError);

    const loop = new Loop();
    const b = new Async(loop).start(() => {
      loop.destroy();
      inside = sender2.send();
    });
    const sender2 = b.sender();
    let inside: boolean | undefined;
    sender2.send();
    loop.run();
    expect(inside).toBe(false);
    expect(sender2.send()).toBe(false);
  });

  it('a sender of another process, or of an id never issued, returns false', () => {
    const loop = fresh();
    const a = new Async(loop).start(() => {});
    const { id } = a.sender();
    expect(AsyncSender.from({ type: 'evkit.AsyncSender', id, pid: process.pid + 1 }).send()).toBe(false);
    expect(AsyncSender.from({ type: 'evkit.AsyncSender', id: (1n << 64n) - 1n, pid: process.pid }).send()).toBe(false);
    expect(a.sent).toBe(false);
    a.stop();
  });

  it('from() rejects anything but a sender, naming the argument', () => {
    const loop = fresh();
    const ok = { type: 'evkit.AsyncSender', id: 1n, pid: process.pid } as const;
    for (const bad of [undefined, null, 5, 'x', 1n, {}, { ...ok, type: 'other' }, new Async(loop)]) {
      expect(() => AsyncSender.from(bad as never)).toThrow(TypeError);
      expect(() => AsyncSender.from(bad as never)).toThrow(/^value must be an AsyncSender/);
    }
    expect(() => AsyncSender.from({ ...ok, id: 1 } as never)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'value.id must be a bigint, got 1' }),
    );
    expect(() => AsyncSender.from({ ...ok, id: 0n })).toThrow(RangeError);
    expect(() => AsyncSender.from({ ...ok, id: -3n })).toThrow(/value\.id/);
    expect(() => AsyncSender.from({ ...ok, id: 1n << 64n })).toThrow(RangeError);
    expect(() => AsyncSender.from({ ...ok, pid: '1' } as never)).toThrow(TypeError);
    expect(() => AsyncSender.from({ ...ok, pid: 1.5 })).toThrow(/value\.pid/);
  });
});

describe('Async errors', () => {
  const fresh = useFreshLoop();

  it('bad constructor arguments are typed errors', () => {
    const loop = fresh();
    expect(() => new Async({} as never)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'loop must be an evkit Loop, got an object' }),
    );
    expect(() => new Async(loop, 5 as never)).toThrow(/options must be an object/);
    expect(() => new Async(loop, { ref: 1 } as never)).toThrow(/options\.ref must be a boolean/);
    expect(() => new Async(loop, { priority: 3 })).toThrow(RangeError);
    expect(() => new Async(loop).start('x' as never)).toThrow(/callback must be a function/);
  });

  it('options.signal: abort() closes it, senders then report false; an aborted signal makes it closed', () => {
    const loop = fresh();
    const controller = new AbortController();
    const wakeup = new Async(loop, { signal: controller.signal }).start(() => {});
    const sender = AsyncSender.from(wakeup.sender());
    controller.abort();
    expect([wakeup.closed, sender.send(), loop.activeCount]).toEqual([true, false, 0]);
    const never = new Async(loop, { signal: AbortSignal.abort() });
    expect(never.closed).toBe(true);
    expect(() => never.sender()).toThrow(WatcherClosedError);
  });

  it('after close(): every member but close and closed throws WatcherClosedError', () => {
    const loop = fresh();
    const a = new Async(loop).start(() => {});
    a.send();
    a.close();
    a.close();
    expect(a.closed).toBe(true);
    expect(() => a.sent).toThrow(WatcherClosedError);
    expect(() => a.send()).toThrow(WatcherClosedError);
    expect(() => a.sender()).toThrow(WatcherClosedError);
    expect(() => a.start(() => {})).toThrow(WatcherClosedError);
    expect(loop.pendingCount).toBe(0);
  });

  it('after loop.destroy(): send() and sender() throw LoopDestroyedError', () => {
    const loop = new Loop();
    const a = new Async(loop);
    loop.destroy();
    expect(() => a.send()).toThrow(LoopDestroyedError);
    expect(() => a.sender()).toThrow(LoopDestroyedError);
    expect(() => new Async(loop)).toThrow(LoopDestroyedError);
    expect(() => a.sent).toThrow(LoopDestroyedError);
  });

  it('a throwing callback goes to errorHandler and the watcher stays active', () => {
    const loop = fresh();
    const errors: unknown[] = [];
    loop.errorHandler = (error, context) => errors.push([error, context]);
    let n = 0;
    const boom = new Error('boom');
    const a = new Async(loop).start(() => {
      if (++n === 2) a.stop();
      throw boom;
    });
    a.send();
    loop.run({ nowait: true });
    expect(a.active).toBe(true);
    a.send();
    loop.run();
    expect(errors).toEqual([[boom, a], [boom, a]]);
  });

  it('without errorHandler, run() rethrows and the loop stays usable', () => {
    const loop = fresh();
    const a = new Async(loop).start(() => {
      throw new Error('from async');
    });
    a.send();
    expect(() => loop.run()).toThrow('from async');
    a.callback = () => a.stop();
    a.send();
    expect(loop.run()).toBe(false);
  });

  it('is a usable view target: an Async on new Loop({ ptr }) shares the loop', () => {
    const loop = fresh();
    const view = new Loop({ ptr: loop.ptr });
    let calls = 0;
    const a = new Async(view).start(() => {
      calls++;
      a.stop();
    });
    a.sender().send();
    loop.run();
    expect(calls).toBe(1);
    view.destroy();
  });
});

describe('Async after attach() / detach()', () => {
  const fresh = useFreshLoop();

  // The loop thread's last iteration must leave nothing pending for the next
  // run(): a send after detach() is handled in the poll phase (after the
  // runCallback queue), and run({ once }) returns instead of blocking until
  // the alarm. Racy before the fix (about one try in three), hence the rounds.
  it('a send after detach() runs after the runCallback queue, and run({ once }) returns', () => {
    for (let round = 0; round < 10; round++) {
      const loop = fresh();
      const order: string[] = [];
      const async = new Async(loop);
      loop.attach();
      async.start(() => order.push('async'));
      loop.detach();
      const alarm = new Timer(loop, 5).start(() => order.push('alarm'));
      async.send();
      loop.runCallback(() => order.push('runCallback'));
      loop.run({ once: true });
      expect(order, `round ${round}`).toEqual(['runCallback', 'async']);
      alarm.stop();
      async.stop();
    }
  });
});
