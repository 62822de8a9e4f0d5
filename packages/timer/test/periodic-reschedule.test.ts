// Periodic with a reschedule function (Perl EV's reschedule_cb), computed in
// JS after each event, in both run modes.
import { describe, expect, it } from 'vitest';
import { Periodic } from '@evkit/timer';
import { useFreshLoop } from '@evkit/test-utils';

describe('Periodic({ reschedule })', () => {
  const fresh = useFreshLoop();

  it('fires at the times it returns, asked at start() and after each event (blocking)', () => {
    const loop = fresh();
    const asked: number[] = [];
    let fired = 0;
    const periodic = new Periodic(loop, 0, 0, {
      reschedule(now) {
        expect(this).toBe(periodic);
        asked.push(now);
        return now + 0.005;
      },
    });
    periodic.start(function () {
      if (++fired === 3) this.stop();
    });
    expect(asked).toHaveLength(1);
    expect(periodic.at).toBeCloseTo(asked[0]! + 0.005, 6);
    loop.run();
    expect(fired).toBe(3);
    expect(asked).toHaveLength(3); // start, then after the first two events; the third stopped it
    expect(asked[2]! - asked[0]!).toBeGreaterThanOrEqual(0.0099);
  });

  it('runs on an attached loop too, and goes on after a callback that throws', async () => {
    const loop = fresh().attach();
    const errors: unknown[] = [];
    loop.errorHandler = (error) => errors.push(error);
    let fired = 0;
    await new Promise<void>((resolve) => {
      new Periodic(loop, 0, 0, { reschedule: (now) => now + 0.002 }).start(function () {
        if (++fired === 2) throw new Error('second');
        if (fired === 4) {
          this.stop();
          resolve();
        }
      });
    });
    expect([fired, errors.length]).toEqual([4, 1]);
    loop.detach();
  });

  it('a time before now or not a number: RangeError from start(), or the error path after an event', () => {
    const loop = fresh();
    expect(() => new Periodic(loop, 0, 0, { reschedule: (now) => now - 1 }).start(() => {})).toThrow(
      expect.objectContaining({ name: 'RangeError', message: expect.stringMatching(/options\.reschedule must return a time from now/) }),
    );
    expect(() => new Periodic(loop, 0, 0, { reschedule: 5 as never })).toThrow(TypeError);
    const errors: unknown[] = [];
    loop.errorHandler = (error) => errors.push(error);
    let calls = 0;
    const periodic = new Periodic(loop, 0, 0, { reschedule: (now) => (calls++ === 0 ? now + 0.001 : Number.NaN) });
    let fired = 0;
    periodic.start(() => fired++);
    expect(loop.run()).toBe(false);
    expect(fired).toBe(1);
    expect(errors).toEqual([expect.any(RangeError)]);
    expect(periodic.active).toBe(false);
  });
});
