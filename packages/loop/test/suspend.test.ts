// loop.suspend() / resume() (ev_suspend / ev_resume).
import { describe, expect, it } from 'vitest';
import { Loop } from '@evkit/loop';
import { useLoops } from '@evkit/test-utils';
import { TestTimer } from './helpers.js';

const track = useLoops({ check: false });
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const code = (code: string) => expect.objectContaining({ code });

describe('suspend() / resume()', () => {
  it('time spent suspended does not count towards a relative timer (blocking)', () => {
    const loop = track(new Loop());
    let firedAt = 0;
    const startedAt = performance.now();
    new TestTimer(loop, 0.06).start(() => (firedAt = performance.now()));
    loop.suspend();
    const suspendedAt = performance.now();
    expect(loop.suspended).toBe(true);
    sleepSync(100);
    const resumedAt = performance.now(); // before resume(): the timer's rest counts from there
    loop.resume();
    loop.run();
    // What was left at suspend() is still to go after resume(), not overdue (a loaded machine may
    // take a while between start() and suspend(): that part is gone).
    expect(firedAt - resumedAt).toBeGreaterThanOrEqual(60 - (suspendedAt - startedAt) - 2);
  });

  it('refuses every other operation while suspended, with a clear error', () => {
    const loop = track(new Loop());
    const timer = new TestTimer(loop, 1);
    loop.suspend();
    expect(() => loop.run()).toThrow(code('ERR_EVKIT_SUSPENDED'));
    expect(() => loop.now()).toThrow(/suspended: resume\(\) it first/);
    expect(() => timer.start(() => {})).toThrow(code('ERR_EVKIT_SUSPENDED'));
    expect(() => new TestTimer(loop, 1).start(() => {})).toThrow(code('ERR_EVKIT_SUSPENDED'));
    expect(() => loop.suspend()).toThrow(code('ERR_EVKIT_SUSPENDED'));
    loop.resume();
    expect(() => loop.resume()).toThrow(code('ERR_EVKIT_NOT_SUSPENDED'));
    timer.start(() => {});
    expect(loop.activeCount).toBe(1);
  });

  it("a watcher's close() still works while suspended: it never fires after resume()", () => {
    const loop = track(new Loop());
    const fired: string[] = [];
    const closed = new TestTimer(loop, 0.001).start(() => fired.push('closed'));
    const kept = new TestTimer(loop, 0.002).start(() => fired.push('kept'));
    loop.suspend();
    closed.close();
    expect(closed.closed).toBe(true);
    expect(() => kept.stop()).toThrow(code('ERR_EVKIT_SUSPENDED'));
    loop.resume();
    loop.run();
    expect(fired).toEqual(['kept']);
    expect(loop.activeCount).toBe(0);
  });

  it('is refused from a callback of the loop; destroy() of a suspended loop works', () => {
    const loop = track(new Loop());
    let error: unknown;
    new TestTimer(loop, 0).start(() => {
      try {
        loop.suspend();
      } catch (e) {
        error = e;
      }
    });
    loop.run();
    expect(error).toEqual(code('ERR_EVKIT_IN_CALLBACK'));
    loop.suspend();
    loop.destroy();
    expect([loop.destroyed, loop.suspended]).toEqual([true, false]);
  });

  it('an attached loop stops firing while suspended and goes on, attached, after resume()', async () => {
    const loop = track(new Loop().attach());
    let firedAt = 0;
    const startedAt = performance.now();
    const fired = new Promise<void>((resolve) =>
      new TestTimer(loop, 0.06).start(() => {
        firedAt = performance.now();
        resolve();
      }),
    );
    loop.suspend();
    const suspendedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(firedAt).toBe(0);
    expect(loop.attached).toBe(true);
    expect(() => loop.activeCount).toThrow(code('ERR_EVKIT_SUSPENDED'));
    const resumedAt = performance.now(); // before resume(): the timer's rest counts from there
    loop.resume();
    await fired;
    // As in the blocking case: what was left at suspend() is still to go, however long a loaded
    // machine took between start() and suspend().
    expect(firedAt - resumedAt).toBeGreaterThanOrEqual(60 - (suspendedAt - startedAt) - 2);
    expect(loop.attached).toBe(true);
  });
});

describe('suspend() from callbacks of an attached loop', () => {
  it('works from a callback, also one the JS thread runs in a pass, and resume() from anywhere', async () => {
    const loop = track(new Loop().attach());
    const timer = new TestTimer(loop, 0);
    let n = 0;
    await new Promise<void>((resolve) => {
      const again = () => {
        if (++n < 50) {
          timer.start(again);
          return;
        }
        loop.suspend(); // most likely inside a pass: libev suspends once it unwinds
        expect(() => timer.start(again)).toThrow(code('ERR_EVKIT_SUSPENDED'));
        resolve();
      };
      timer.start(again);
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(loop.suspended).toBe(true);
    loop.resume();
    const more = new Promise<void>((resolve) => new TestTimer(loop, 0.001).start(() => resolve()));
    await more;
    expect(n).toBe(50);
  });
});
