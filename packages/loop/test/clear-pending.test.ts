// clearPending() (ev_clear_pending) and invoke() (ev_invoke), Perl EV's
// $w->clear_pending and $w->invoke.
import { describe, expect, it } from 'vitest';
import { Loop, TIMER } from '@evkit/loop';
import { useLoops } from '@evkit/test-utils';
import { TestIdle, TestTimer } from './helpers.js';

const track = useLoops({ check: false });

describe('clearPending()', () => {
  it('returns a fed event\'s revents and the callback never runs; 0 when nothing is pending', () => {
    const loop = track(new Loop());
    let ran = 0;
    const timer = new TestTimer(loop, 60).start(() => ran++);
    expect(timer.clearPending()).toBe(0);
    timer.feed(TIMER | 0x80);
    expect(timer.pending).toBe(true);
    expect(timer.clearPending()).toBe(TIMER | 0x80);
    expect([timer.pending, timer.active]).toEqual([false, true]);
    timer.stop();
    expect(loop.run()).toBe(false);
    expect(ran).toBe(0);
    expect(new TestIdle(loop).clearPending()).toBe(0); // never started: no native half
  });

  it('clears an expiry already collected in the same batch: that one-shot is then inactive for good', () => {
    const loop = track(new Loop());
    // Same expiry, one batch: whichever runs first clears the other.
    const ran: string[] = [];
    const cleared: number[] = [];
    const timers = [0, 1].map(() => new TestTimer(loop, 0.001));
    // Started from a callback: one cached time, one expiry.
    loop.runCallback(() =>
      timers.forEach((timer, i) =>
        timer.start(() => {
          ran.push(String(i));
          cleared.push(timers[1 - i]!.clearPending());
        }),
      ),
    );
    loop.run();
    expect([ran.length, cleared]).toEqual([1, [TIMER]]);
    expect(timers.map((t) => [t.active, t.pending])).toEqual([
      [false, false],
      [false, false],
    ]);
    expect(loop.activeCount).toBe(0);
  });

  it('on an attached loop, clears what the loop thread collected before it is delivered', async () => {
    const loop = track(new Loop().attach());
    const ran: number[] = [];
    const cleared = await new Promise<number>((resolve) => {
      const timers = [0, 1].map(() => new TestTimer(loop, 0.001));
      loop.runCallback(() =>
        timers.forEach((timer, i) =>
          timer.start(() => {
            ran.push(i);
            resolve(timers[1 - i]!.clearPending());
          }),
        ),
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([ran.length, cleared]).toEqual([1, TIMER]);
    expect(loop.activeCount).toBe(0);
  });
});

describe('invoke()', () => {
  it('calls the callback synchronously with the watcher as this and its args; the loop is untouched', () => {
    const loop = track(new Loop());
    const calls: unknown[] = [];
    const timer = new TestTimer<[string]>(loop, 60);
    timer.start(function (this: unknown, tag: string) {
      calls.push(this === timer, tag);
    }, 'x');
    timer.invoke(TIMER);
    expect(calls).toEqual([true, 'x']);
    expect([timer.pending, timer.active, loop.pendingCount]).toEqual([false, true, 0]);
    timer.stop();
  });

  it('throws what the callback throws, needs a callback, and validates revents', () => {
    const loop = track(new Loop());
    const timer = new TestTimer(loop, 60);
    expect(() => timer.invoke(TIMER)).toThrow(expect.objectContaining({ code: 'ERR_EVKIT_NO_CALLBACK' }));
    timer.callback = () => {
      throw new Error('from the callback');
    };
    expect(() => timer.invoke(TIMER)).toThrow('from the callback');
    expect(() => timer.invoke(1.5)).toThrow(RangeError);
    expect(() => timer.invoke('1' as never)).toThrow(TypeError);
  });
});
