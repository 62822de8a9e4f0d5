// Sends to an attached loop go straight to the JS thread, which delivers them
// while the loop thread sleeps on in its poll (one kernel wake-up instead of
// two in a row). What that must keep:
// - the loop thread does not iterate for such a send;
// - what a callback changes (a timer, an io watcher, the runCallback queue)
//   wakes the loop thread, which then sees it;
// - a send not delivered yet when the loop thread stops (detach, suspend) is
//   the next run's or the resume's; close(), stop() and destroy() drop it.
import { closeSync, writeSync } from 'node:fs';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { type Loop, READ } from '@evkit/loop';
import { Async } from '@evkit/async';
import { Io } from '@evkit/io';
import { testing } from '@evkit/native-testing';
import { Timer } from '@evkit/timer';
import { useFreshLoop } from '@evkit/test-utils';

/** Resolves with the next call of the returned callback. */
function nextCall(): { callback: () => void; called: () => Promise<void> } {
  let resolve = (): void => {};
  let promise = new Promise<void>((r) => (resolve = r));
  return {
    callback: () => resolve(),
    called: async () => {
      await promise;
      promise = new Promise<void>((r) => (resolve = r));
    },
  };
}

describe('sends to an attached loop', () => {
  const fresh = useFreshLoop();

  it('reach the callback without an iteration of the loop thread', async () => {
    const loop = fresh().attach();
    const { callback, called } = nextCall();
    const a = new Async(loop).start(callback);
    const before = loop.iteration;
    for (let i = 0; i < 20; i++) {
      a.send();
      await called();
    }
    // Each would be one iteration (or more) through the loop thread.
    expect(loop.iteration - before).toBeLessThan(5);
    a.stop();
  });

  // Each alone: any one of them would wake the loop thread for the others.
  const starters: Record<string, (loop: Loop, done: () => void) => () => void> = {
    'a timer': (loop, done) => {
      const timer = new Timer(loop, 0.01);
      return () => timer.start(done);
    },
    'a runCallback': (loop, done) => () => loop.runCallback(done),
    'an io watcher': (loop, done) => {
      const [reader, writer] = testing.socketpair();
      const io = new Io(loop, reader, READ);
      return () => {
        io.start(() => {
          io.close();
          closeSync(reader);
          closeSync(writer);
          done();
        });
        writeSync(writer, 'x');
      };
    },
  };

  for (const [what, make] of Object.entries(starters)) {
    it(`${what} started by the callback is seen by the sleeping loop thread`, async () => {
      const loop = fresh().attach();
      await new Promise<void>((resolve) => {
        const startIt = make(loop, resolve);
        const a = new Async(loop).start(() => {
          a.stop();
          startIt();
        });
        a.send();
      });
    });
  }

  it('one not delivered when the loop detaches is the next run()', async () => {
    const loop = fresh().attach();
    let calls = 0;
    const a = new Async(loop).start(() => calls++);
    a.send(); // the JS thread has not looked yet: this runs to the end first
    loop.detach();
    expect(a.sent).toBe(true);
    await tick();
    expect(calls).toBe(0);
    loop.run({ nowait: true });
    expect(calls).toBe(1);
    expect(a.sent).toBe(false);
    a.stop();
  });

  it('one not delivered when the loop is suspended waits for resume()', async () => {
    const loop = fresh().attach();
    const { callback, called } = nextCall();
    let calls = 0;
    const a = new Async(loop).start(() => {
      calls++;
      callback();
    });
    a.send();
    loop.suspend();
    await tick();
    await tick();
    expect(calls).toBe(0);
    loop.resume();
    await called();
    expect(calls).toBe(1);
    a.stop();
  });

  it('stop(), close() and destroy() drop one on its way; start() again does not bring it back', async () => {
    const loop = fresh().attach();
    let calls = 0;
    const stopped = new Async(loop).start(() => calls++);
    const closed = new Async(loop).start(() => calls++);
    stopped.send();
    closed.send();
    stopped.stop();
    closed.close();
    await tick();
    stopped.start(() => calls++);
    await tick();
    await tick();
    expect(calls).toBe(0);
    expect(stopped.sent).toBe(false);
    stopped.stop();
    const other = fresh().attach();
    new Async(other).start(() => calls++).send();
    other.destroy();
    await tick();
    expect(calls).toBe(0);
  });
});
