// A watcher keeps times of up to 6 decimals as integer microseconds (no heap
// box per watcher): every value must read back, and reach libev, unchanged.
import { describe, expect, it } from 'vitest';
import { Periodic, Timer } from '@evkit/timer';
import { useFreshLoop } from '@evkit/test-utils';

const VALUES = [0, 1, 0.1, 1.234, 0.000001, 1e-7, 1 / 3, 2.5e-9, 1073.741823, 1073.741824, 5e6 + 0.5, 123456.789012, Number.MIN_VALUE];

describe('watcher parameters', () => {
  const loop = useFreshLoop();

  it('read back exactly what was given, whether or not they fit in microseconds', () => {
    for (const value of VALUES) {
      const timer = new Timer(loop(), value, value);
      expect([timer.after, timer.repeat]).toEqual([value, value]);
      timer.after = -value;
      timer.repeat = value / 7;
      expect([timer.after, timer.repeat]).toEqual([-value, value / 7]);
      const periodic = new Periodic(loop(), value, value);
      expect([periodic.offset, periodic.interval]).toEqual([value, value]);
    }
  });

  it('reach libev: the remaining time of a started timer is `after` less the time since (up to rounding)', () => {
    for (const value of [0.25, 1.234, 1 / 3, 86400.000001]) {
      const timer = new Timer(loop(), value).start(() => {});
      const remaining = timer.remaining;
      // libev stores now + after and subtracts now again: a last-bit difference.
      expect(remaining).toBeLessThanOrEqual(value + 1e-9);
      expect(remaining).toBeGreaterThan(value - 0.5);
      timer.stop();
    }
  });

  it('keep the start count and flags apart: a restart from the callback still counts', () => {
    let fired = 0;
    const timer = new Timer(loop(), 0.000001, 0, { priority: 2 });
    timer.start(function () {
      if (++fired < 3) this.start(this.callback!);
    });
    loop().run();
    expect(fired).toBe(3);
    expect(timer.priority).toBe(2);
    expect(timer.after).toBe(0.000001);
    expect(timer.callback).toBeNull();
  });
});
