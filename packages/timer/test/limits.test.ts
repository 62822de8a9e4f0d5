// Time arguments have a documented maximum (MAX_TIME): beyond it libev's float
// arithmetic fires a timer at once or spins a periodic, so evkit refuses them.
import { describe, expect, it } from 'vitest';
import { Loop, MAX_TIME, WatcherClosedError } from '@evkit/loop';
import { Periodic, Timer, sleep } from '@evkit/timer';
import { useFreshLoop } from '@evkit/test-utils';

const absurd = [1e300, 1e308, Number.MAX_VALUE, MAX_TIME * 1.0000001];

describe('time limits', () => {
  const fresh = useFreshLoop();

  it('MAX_TIME is 1e10 seconds', () => {
    expect(MAX_TIME).toBe(1e10);
  });

  it.each(absurd)('after, repeat, offset, interval and sleep() refuse %d with a RangeError', async (value) => {
    const loop = fresh();
    const range = expect.objectContaining({ name: 'RangeError', message: expect.stringMatching(/MAX_TIME/) });
    expect(() => new Timer(loop, value)).toThrow(range);
    expect(() => new Timer(loop, -value)).toThrow(range);
    expect(() => new Timer(loop, 1, value)).toThrow(range);
    expect(() => new Periodic(loop, value)).toThrow(range);
    expect(() => new Periodic(loop, -value, 0.001)).toThrow(range);
    expect(() => new Periodic(loop, 0, value)).toThrow(range);
    const timer = new Timer(loop, 1);
    expect(() => (timer.after = value)).toThrow(range);
    expect(() => (timer.repeat = value)).toThrow(range);
    expect(timer.after).toBe(1);
    expect(timer.repeat).toBe(0);
    const periodic = new Periodic(loop, 0);
    expect(() => periodic.set(value)).toThrow(range);
    await expect(sleep(value, { loop })).rejects.toThrow(range);
  });

  it('a timer at MAX_TIME is armed, not fired: remaining reads about MAX_TIME', () => {
    const loop = fresh();
    let fired = 0;
    const timer = new Timer(loop, MAX_TIME).start(() => fired++);
    loop.run({ nowait: true });
    expect(fired).toBe(0);
    expect(timer.active).toBe(true);
    expect(timer.remaining).toBeGreaterThan(MAX_TIME * 0.99);
    timer.stop();
  });

  it('a periodic at MAX_TIME with a tiny interval starts at once and does not fire', () => {
    const loop = fresh();
    let fired = 0;
    const periodic = new Periodic(loop, MAX_TIME, 0.001).start(() => fired++);
    loop.run({ nowait: true });
    expect(fired).toBe(0);
    expect(periodic.at).toBeGreaterThan(Date.now() / 1000);
    periodic.stop();
    const far = new Periodic(loop, MAX_TIME).start(() => fired++);
    loop.run({ nowait: true });
    expect([fired, far.at]).toEqual([0, MAX_TIME]);
    far.close();
    expect(() => far.at).toThrow(WatcherClosedError);
  });

  it('every member of a closed Timer but close and closed throws WatcherClosedError', () => {
    const timer = new Timer(new Loop(), 1);
    timer.close();
    for (const member of [
      () => timer.after,
      () => (timer.after = 2),
      () => timer.repeat,
      () => (timer.repeat = 2),
      () => timer.remaining,
      () => timer.again(),
      () => timer.active,
      () => timer.loop,
    ]) {
      expect(member).toThrow(WatcherClosedError);
    }
    expect(timer.closed).toBe(true);
  });
});
