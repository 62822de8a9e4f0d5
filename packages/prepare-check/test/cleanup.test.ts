// Cleanup (ev_cleanup): callbacks run by loop.destroy() before the loop's
// watchers are closed, in libev's order.
import { describe, expect, it } from 'vitest';
import { Loop, MAXPRI } from '@evkit/loop';
import { Cleanup, Idle } from '@evkit/prepare-check';
import { useFreshLoop } from '@evkit/test-utils';

describe('Cleanup', () => {
  const fresh = useFreshLoop();

  it('destroy() runs active ones first, by priority then latest first, while the loop still works', () => {
    const loop = fresh();
    const order: string[] = [];
    const idle = new Idle(loop).start(() => {});
    new Cleanup(loop).start(function (this: Cleanup) {
      order.push(`low, idle active ${idle.active}, loop destroyed ${loop.destroyed}`);
    });
    new Cleanup(loop).start(() => order.push('later'));
    new Cleanup(loop, { priority: MAXPRI }).start((...args: unknown[]) => order.push(`high ${JSON.stringify(args)}`), 'x');
    new Cleanup(loop).start(() => order.push('stopped')).stop();
    const closed = new Cleanup(loop).start(() => order.push('closed'));
    closed.close();
    loop.destroy();
    expect(order).toEqual(['high ["x"]', 'later', 'low, idle active true, loop destroyed false']);
    expect(idle.closed).toBe(true);
  });

  it('never keeps the loop alive, and a destroy() from inside does nothing more', () => {
    const loop = fresh();
    const seen: unknown[] = [];
    const cleanup = new Cleanup(loop).start(() => {
      seen.push('ran');
      loop.destroy(); // already in progress
      seen.push(loop.destroyed);
    });
    expect([cleanup.active, cleanup.hasRef(), loop.refCount]).toEqual([true, false, 0]);
    expect(loop.run()).toBe(true); // active (unref'd) but nothing keeps run() going
    loop.destroy();
    expect(seen).toEqual(['ran', false]);
  });

  it('what a callback throws goes to errorHandler, or is thrown by destroy() after the loop is gone', () => {
    const handled = fresh();
    const errors: unknown[] = [];
    handled.errorHandler = (error, context) => errors.push([error, context instanceof Cleanup]);
    new Cleanup(handled).start(() => {
      throw new Error('one');
    });
    handled.destroy();
    expect(errors).toEqual([[new Error('one'), true]]);

    const unhandled = new Loop();
    new Cleanup(unhandled).start(() => {
      throw new Error('a');
    });
    new Cleanup(unhandled).start(() => {
      throw new Error('b');
    });
    expect(() => unhandled.destroy()).toThrow(AggregateError);
    expect(unhandled.destroyed).toBe(true);
  });

  it('on an attached loop too', () => {
    const loop = new Loop().attach();
    const ran: string[] = [];
    new Cleanup(loop).start(() => ran.push('cleanup'));
    loop.destroy();
    expect(ran).toEqual(['cleanup']);
  });
});
