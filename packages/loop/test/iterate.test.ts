// for await (const revents of watcher): Watcher#iterate().
import { describe, expect, it } from 'vitest';
import { Loop, TIMER, WatcherClosedError } from '@evkit/loop';
import { useLoops } from '@evkit/test-utils';
import { TestIdle, TestTimer } from './helpers.js';

const track = useLoops({ check: false });
const attachedLoop = () => track(new Loop().attach());

async function take<T>(iterator: AsyncIterator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const r = await iterator.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe('Watcher#iterate() on an attached loop', () => {
  it('yields the revents of a repeating timer; break stops it and the loop can settle', async () => {
    const loop = attachedLoop();
    const timer = new TestTimer(loop, 0.001, 0.001);
    const seen: number[] = [];
    for await (const revents of timer) {
      seen.push(revents);
      if (seen.length === 5) break;
    }
    expect(seen).toEqual([TIMER, TIMER, TIMER, TIMER, TIMER]);
    expect([timer.active, timer.closed, loop.activeCount]).toEqual([false, false, 0]);
    await loop.runAsync(); // nothing keeps it alive any more
    timer.start(() => {}); // iterable again, or usable as before
    timer.stop();
  });

  it('a one-shot timer ends the iteration after its event; close() and destroy() end it too', async () => {
    const loop = attachedLoop();
    const oneShot: number[] = [];
    for await (const revents of new TestTimer(loop, 0.001)) oneShot.push(revents);
    expect(oneShot).toEqual([TIMER]);

    const idle = new TestIdle(loop);
    const closed = take(idle.iterate(), 1_000_000);
    setTimeout(() => idle.close(), 5);
    expect((await closed).length).toBeGreaterThan(0);
    expect(idle.closed).toBe(true);

    const other = attachedLoop();
    const pending = take(new TestTimer(other, 60).iterate(), 10);
    setTimeout(() => other.destroy(), 5);
    expect(await pending).toEqual([]);
  });

  it('stop() from outside ends a waiting next(); an aborted signal rejects it with AbortError', async () => {
    const loop = attachedLoop();
    const timer = new TestTimer(loop, 60, 60);
    const iterator = timer.iterate();
    const waiting = iterator.next();
    timer.stop();
    expect(await waiting).toEqual({ value: undefined, done: true });

    const controller = new AbortController();
    const aborted = new TestTimer(loop, 60, 60).iterate({ signal: controller.signal });
    const next = aborted.next();
    controller.abort('enough');
    await expect(next).rejects.toEqual(expect.objectContaining({ name: 'AbortError', cause: 'enough' }));
    expect(loop.activeCount).toBe(0);
    await expect(new TestTimer(loop, 1).iterate({ signal: AbortSignal.abort() }).next()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('a full buffer pauses the watcher until the consumer has taken half of it', async () => {
    const loop = attachedLoop();
    const idle = new TestIdle(loop);
    const iterator = idle.iterate({ highWaterMark: 8 });
    // The idle fills the buffer in a few hand-offs, then pauses at 8 (however slow the machine).
    const deadline = Date.now() + 10_000;
    while (idle.active && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect(idle.active).toBe(false); // paused at 8
    expect(await take(iterator, 4)).toHaveLength(4);
    expect(idle.active).toBe(true); // resumed at 4 left
    await iterator.return!();
    expect(idle.active).toBe(false);
  });

  it('refuses a second iteration, bad options, and a closed watcher', () => {
    const loop = attachedLoop();
    const timer = new TestTimer(loop, 60, 60);
    timer.iterate();
    expect(() => timer.iterate()).toThrow(expect.objectContaining({ code: 'ERR_EVKIT_ITERATING' }));
    expect(() => new TestTimer(loop, 1).iterate({ highWaterMark: 0 })).toThrow(RangeError);
    expect(() => new TestTimer(loop, 1).iterate({ signal: 1 as never })).toThrow(TypeError);
    expect(() => new TestTimer(loop, 1).iterate(5 as never)).toThrow(/options must be an object/);
    const closed = new TestTimer(loop, 1);
    closed.close();
    expect(() => closed.iterate()).toThrow(WatcherClosedError);
  });
});

describe('Watcher#iterate() with a blocking run()', () => {
  it('buffers what run() delivered; the consumer reads it after run() returns', async () => {
    const loop = track(new Loop());
    const timer = new TestTimer(loop, 0, 0.001);
    const iterator = timer.iterate();
    // A twin started just after it: the iterated timer is due whenever the twin is, so when the
    // twin has fired 5 times it has too, but for the last one, which the stop() in the twin's
    // callback may drop while pending (counted in events, not in time: no flake under load).
    let twinFired = 0;
    const twin = new TestTimer(loop, 0, 0.001).start(() => {
      if (++twinFired < 5) return;
      twin.stop();
      timer.stop(); // ends the iteration, keeps what was buffered
    });
    loop.run();
    const seen = await take(iterator, 1000);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(seen.every((revents) => revents === TIMER)).toBe(true);
  });
});
