// Io on attached loops, beyond the per-backend readiness tests: events fed
// from inside a delivery, async context, throwing callbacks, destroy.
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR, Loop, READ, WRITE } from '@evkit/loop';
import { Io, closingFd } from '@evkit/io';
import { closeAllFds, receive, send, socketpair } from './helpers.js';

const loops: Loop[] = [];
function attachedLoop(flags?: string): Loop {
  const loop = new Loop({ flags }).attach();
  loops.push(loop);
  return loop;
}
afterEach(() => {
  for (const loop of loops.splice(0)) loop.destroy();
  closeAllFds();
});

describe('attached io', () => {
  for (const flags of ['epoll', 'poll']) {
    it(`${flags}: closingFd() inside a runCallback is delivered before the loop sleeps`, async () => {
      const loop = attachedLoop(flags);
      const [a] = socketpair();
      const quiet = new Io(loop, a, READ, { passEvents: true });
      const got = new Promise<number>((resolve) => quiet.start((revents: number) => resolve(revents)));
      loop.runCallback(() => {
        expect(closingFd(loop, a)).toBe(true);
      });
      // Nothing else will ever wake this loop: an event that waited for the loop
      // to sleep would never come. The race is a hang guard, not a speed bound.
      const revents = await Promise.race([got, delay(10_000).then(() => -1)]);
      expect(revents).toBe((ERROR | READ) >>> 0);
      expect(loop.refCount).toBe(0);
    });
  }

  it('closingFd() from Node code keeps the loop referenced until the error event is delivered', async () => {
    const loop = attachedLoop();
    const [a] = socketpair();
    const io = new Io(loop, a, WRITE, { ref: true });
    const delivered = new Promise<void>((resolve) => io.start(() => resolve()));
    await delay(5);
    expect(closingFd(loop, a)).toBe(true);
    // the only watcher is stopped, yet its pending error event holds the loop
    expect(io.active).toBe(false);
    expect(loop.refCount).toBe(1);
    await delivered;
    // runAsync() resolves once nothing holds the loop: the event, delivered, no
    // longer does (it would never resolve if the reference leaked).
    await loop.runAsync();
    expect(loop.refCount).toBe(0);
  });

  it('callbacks run in the AsyncLocalStorage context of start()', async () => {
    const loop = attachedLoop();
    const [a, b] = socketpair();
    const als = new AsyncLocalStorage<string>();
    const seen = await new Promise<string | undefined>((resolve) => {
      als.run('ctx', () => {
        new Io(loop, a, READ).start(function (this: Io) {
          receive(a);
          this.stop();
          resolve(als.getStore());
        });
      });
      send(b, 'x');
    });
    expect(seen).toBe('ctx');
  });

  it('a throwing callback stops its watcher and reaches errorHandler', async () => {
    const loop = attachedLoop();
    const [a, b] = socketpair();
    send(b, 'x');
    const reported = new Promise<[unknown, unknown]>((resolve) => {
      loop.errorHandler = (error, context) => resolve([error, context]);
    });
    let calls = 0;
    const io = new Io(loop, a, READ).start(() => {
      calls++;
      throw new Error('attached boom');
    });
    const [error, context] = await reported;
    expect((error as Error).message).toBe('attached boom');
    expect(context).toBe(io);
    await delay(30);
    expect(calls).toBe(1);
    expect(io.active).toBe(false);
  });

  it('starts and stops from Node callbacks while the loop thread runs, many times', async () => {
    const loop = attachedLoop();
    const [a, b] = socketpair();
    // Every watcher not stopped at once fires exactly once (always writable) and stops itself.
    const expected = Array.from({ length: 200 }, (_, i) => i).filter((i) => i % 3 !== 0).length;
    let fired = 0;
    let allFired!: () => void;
    const done = new Promise<void>((resolve) => (allFired = resolve));
    for (let i = 0; i < 200; i++) {
      const io = new Io(loop, i % 2 ? a : b, WRITE).start(function (this: Io) {
        this.stop();
        if (++fired === expected) allFired();
      });
      if (i % 3 === 0) io.stop();
      if (i % 20 === 0) await delay(1);
    }
    await done;
    await loop.runAsync(); // resolves once nothing holds the loop any more
    expect(fired).toBe(expected);
    expect(loop.activeCount).toBe(0);
    expect(loop.refCount).toBe(0);
  });

  it('destroy() with active io watchers, from inside one of their callbacks', async () => {
    const loop = attachedLoop();
    const [a, b] = socketpair();
    const other = new Io(loop, b, READ).start(() => {});
    await new Promise<void>((resolve) => {
      new Io(loop, a, WRITE).start(() => {
        loop.destroy();
        resolve();
      });
    });
    expect(loop.destroyed).toBe(true);
    expect(other.closed).toBe(true);
  });
});
