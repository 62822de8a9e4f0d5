import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Periodic, Timer } from '@evkit/timer';
import { useFreshLoop } from '@evkit/test-utils';

describe('Periodic', () => {
  const fresh = useFreshLoop();

  it('util.inspect shows offset and interval, and the next time while active', () => {
    const periodic = new Periodic(fresh(), 0, 60);
    expect(inspect(periodic)).toBe('<Periodic offset=0 interval=60>');
    periodic.start(() => {});
    expect(inspect(periodic)).toMatch(/^<Periodic offset=0 interval=60 at=\d+ active>$/);
    periodic.stop();
  });

  it('fires once at an absolute time, never early, and before a relative timer due 50 ms after it', () => {
    // How late a callback runs depends on the machine; what evkit decides is
    // when the periodic is due. A relative timer due 50 ms later is the
    // reference: if both are due in one iteration libev runs the periodic
    // first, so only a periodic scheduled late can lose.
    const loop = fresh();
    const at = Date.now() / 1000 + 0.2;
    let firedAt = 0;
    const order: string[] = [];
    const p = new Periodic(loop, at).start(() => {
      firedAt = Date.now() / 1000;
      order.push('periodic');
    });
    new Timer(loop, 0.25).start(() => order.push('timer'));
    expect(p.at).toBeCloseTo(at, 3);
    loop.run();
    expect(firedAt - at).toBeGreaterThanOrEqual(-0.002);
    expect(order).toEqual(['periodic', 'timer']);
    expect(p.active).toBe(false);
  });

  it('with an interval fires on every multiple of it, aligned to offset', () => {
    const loop = fresh();
    const times: number[] = [];
    const due: number[] = [];
    const p = new Periodic(loop, 0, 0.1).start(() => {
      times.push(Date.now() / 1000);
      due.push(p.at); // inside the callback: the next time it is due
      if (times.length === 3) p.stop();
    });
    const phaseOf = (t: number) => Math.min(t % 0.1, 0.1 - (t % 0.1));
    const first = p.at;
    expect(phaseOf(first)).toBeLessThan(0.001);
    loop.run();
    expect(times).toHaveLength(3);
    // Every firing is due on a multiple of 0.1 s, never early, and each is
    // rescheduled to a later multiple (a late callback skips ahead, it does
    // not fire in a burst or drift off the grid).
    const schedule = [first, ...due];
    for (let i = 0; i < 3; i++) {
      expect(times[i]).toBeGreaterThanOrEqual(schedule[i]! - 0.002);
      expect(phaseOf(schedule[i + 1]!)).toBeLessThan(0.001);
      expect(schedule[i + 1]!).toBeGreaterThan(schedule[i]! + 0.05);
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
    // a state error, not an argument error
    expect(() => new Periodic(loop, 0).again()).toThrow(expect.objectContaining({ name: 'EvError', code: 'ERR_EVKIT_NO_CALLBACK' }));
  });
});
