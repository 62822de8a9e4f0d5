// setIoCollectInterval / setTimeoutCollectInterval (ev_set_*_collect_interval).
import { closeSync, writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WatcherKind } from '@evkit/core-native/binding';
import { testing } from '@evkit/native-testing';
import { Loop, READ, Watcher, type NativeKind } from '@evkit/loop';
import { useLoops } from '@evkit/test-utils';
import { TestTimer } from './helpers.js';

const track = useLoops({ check: false });

class TestIo extends Watcher {
  constructor(loop: Loop, fd: number, events: number) {
    super(loop, undefined, fd, events);
  }

  protected override get nativeKind(): NativeKind {
    return { kind: WatcherKind.Io };
  }
}

describe('collect intervals', () => {
  it('setTimeoutCollectInterval(): timers due 10 ms apart expire in one iteration', () => {
    const loop = track(new Loop());
    loop.setTimeoutCollectInterval(0.05);
    const iterations: number[] = [];
    new TestTimer(loop, 0.01).start(() => iterations.push(loop.iteration));
    new TestTimer(loop, 0.02).start(() => iterations.push(loop.iteration));
    loop.run();
    expect(iterations).toHaveLength(2);
    expect(iterations[0]).toBe(iterations[1]);
  });

  it('setIoCollectInterval(): libev waits that long before it polls for a ready fd', () => {
    // libev counts the interval from its last clock update (here: the loop's creation), so a
    // slow start before run() shortens the wait: time it from before the loop exists.
    const started = performance.now();
    const loop = track(new Loop());
    const [a, b] = testing.socketpair();
    try {
      writeSync(b, 'x'); // ready before the loop ever polls
      loop.setIoCollectInterval(0.05);
      let ran = false;
      const io = new TestIo(loop, a, READ).start(() => {
        ran = true;
        io.stop();
      });
      loop.run();
      expect(ran).toBe(true);
      expect(performance.now() - started).toBeGreaterThanOrEqual(45); // it gathered for 50 ms first
    } finally {
      closeSync(a);
      closeSync(b);
    }
  });

  it('takes 0 to 1 seconds; anything else is a typed error naming the argument', () => {
    const loop = track(new Loop());
    loop.setIoCollectInterval(0);
    loop.setTimeoutCollectInterval(1);
    for (const bad of [-0.1, 1.5, Number.NaN, Infinity]) {
      expect(() => loop.setIoCollectInterval(bad)).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringMatching(/^seconds /) }));
    }
    expect(() => loop.setTimeoutCollectInterval('1' as never)).toThrow(TypeError);
    loop.destroy();
    expect(() => loop.setIoCollectInterval(0)).toThrow(/destroyed/);
  });
});
