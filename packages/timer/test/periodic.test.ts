import { describe, expect, it } from 'vitest';
import { Periodic } from '@evkit/timer';
import { useFreshLoop } from '@evkit/test-utils';

describe('Periodic', () => {
  const fresh = useFreshLoop();

  it('fires once at an absolute time, at most 50 ms late and never early', () => {
    const loop = fresh();
    const at = Date.now() / 1000 + 0.2;
    let firedAt = 0;
    const p = new Periodic(loop, at).start(() => {
      firedAt = Date.now() / 1000;
    });
    expect(p.at).toBeCloseTo(at, 3);
    loop.run();
    expect(firedAt - at).toBeGreaterThanOrEqual(-0.002);
    expect(firedAt - at).toBeLessThanOrEqual(0.05);
    expect(p.active).toBe(false);
  });

  it('with an interval fires on every multiple of it, aligned to offset', () => {
    const loop = fresh();
    const times: number[] = [];
    const p = new Periodic(loop, 0, 0.1).start(() => {
      times.push(Date.now() / 1000);
      if (times.length === 3) p.stop();
    });
    const atPhase = p.at % 0.1;
    expect(Math.min(atPhase, 0.1 - atPhase)).toBeLessThan(0.001);
    loop.run();
    expect(times).toHaveLength(3);
    for (const t of times) {
      const phase = t % 0.1;
      expect(Math.min(phase, 0.1 - phase)).toBeLessThan(0.05);
    }
  });

  it('set() and again() reschedule', () => {
    const loop = fresh();
    let fired = 0;
    const p = new Periodic(loop, Date.now() / 1000 + 60).start(() => fired++);
    p.set(Date.now() / 1000 + 0.05);
    expect(p.offset).toBeGreaterThan(0);
    expect(p.interval).toBe(0);
    p.again();
    expect(p.at).toBeLessThan(Date.now() / 1000 + 1);
    loop.run();
    expect(fired).toBe(1);
  });

  it('rejects bad input', () => {
    const loop = fresh();
    expect(() => new Periodic(loop, Number.NaN)).toThrow(RangeError);
    expect(() => new Periodic(loop, 0, -1)).toThrow(RangeError);
    expect(() => new Periodic(loop, 0, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => new Periodic(loop, '0' as never)).toThrow(TypeError);
    expect(() => new Periodic(loop, 0).again()).toThrow(TypeError);
  });
});
