// readable() / writable(): one-shot readiness promises, abortable like sleep().
import { closeSync, openSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { EvError, Loop } from '@evkit/loop';
import { AbortError, closingFd, readable, writable } from '@evkit/io';
import { useCleanDefaultLoop } from '@evkit/test-utils';
import { closeAllFds, closeFds, fill, receive, send, socketpair } from './helpers.js';

afterEach(() => closeAllFds());
// Checks Loop.default is left clean; a failed test's leftovers are destroyed
// with it instead of failing every test after it.
useCleanDefaultLoop();

describe('readable() / writable() on Loop.default', () => {
  it('readable() resolves once data arrives, and only then', async () => {
    const [a, b] = socketpair();
    let resolved = false;
    const pending = readable(a).then(() => {
      resolved = true;
    });
    expect(Loop.default.refCount).toBe(1);
    await delay(30);
    expect(resolved).toBe(false);
    send(b, 'hello');
    await pending;
    expect(resolved).toBe(true);
    expect(receive(a)).toBe('hello');
  });

  it('writable() resolves at once on a socket with room, and after a drain when full', async () => {
    const [a, b] = socketpair();
    await writable(a);
    fill(a);
    let resolved = false;
    const pending = writable(a).then(() => {
      resolved = true;
    });
    await delay(30);
    expect(resolved).toBe(false);
    for (;;) {
      try {
        receive(b);
      } catch {
        break;
      }
    }
    await pending;
    expect(resolved).toBe(true);
  });

  it('is one-shot: an echo loop of awaits', async () => {
    const [a, b] = socketpair();
    const got: string[] = [];
    const reader = (async () => {
      while (got.length < 5) {
        await readable(a);
        got.push(receive(a));
        send(a, 'ack');
      }
    })();
    for (let i = 0; i < 5; i++) {
      send(b, `m${i}`);
      await readable(b);
      expect(receive(b)).toBe('ack');
    }
    await reader;
    expect(got).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('rejects with an AbortError when the signal aborts, and lets go of its watcher', async () => {
    const [a] = socketpair();
    const controller = new AbortController();
    const pending = readable(a, { signal: controller.signal });
    expect(Loop.default.refCount).toBe(1);
    controller.abort(new Error('why'));
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    expect((error as Error).cause).toEqual(new Error('why'));
  });

  it('rejects at once with an already aborted signal', async () => {
    const [a] = socketpair();
    await expect(writable(a, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('an abort after it resolved changes nothing', async () => {
    const [a] = socketpair();
    const controller = new AbortController();
    await writable(a, { signal: controller.signal });
    controller.abort();
  });

  it('rejects with EvError EBADF for an fd that is not open', async () => {
    const fd = openSync('/dev/null', 'r');
    closeSync(fd);
    await expect(readable(fd)).rejects.toMatchObject({ name: 'EvError', code: 'EBADF' });
  });

  it('rejects with EBADF when closingFd() retires the fd', async () => {
    const [a] = socketpair();
    const pending = readable(a);
    expect(closingFd(Loop.default, a)).toBe(true);
    closeFds(a);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvError);
    expect(error).toMatchObject({ code: 'EBADF' });
    expect((error as Error).message).toMatch(/closingFd\(\) while readable\(\) waited/);
  });

  it('rejects with EBADF (not the error path) when the fd is closed under it', async () => {
    const [a] = socketpair();
    const reported: unknown[] = [];
    Loop.default.errorHandler = (error) => reported.push(error);
    try {
      const pending = readable(a);
      closeFds(a); // misuse: evkit notices within about a second at the latest
      const error = await pending.catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'EvError', code: 'EBADF' });
      expect(reported).toEqual([]);
    } finally {
      Loop.default.errorHandler = null;
    }
  });

  it('rejects bad input with typed errors', async () => {
    const [a] = socketpair();
    await expect(readable(-1)).rejects.toThrow(RangeError);
    await expect(readable(1.5)).rejects.toThrow(RangeError);
    await expect(readable('3' as never)).rejects.toThrow(TypeError);
    await expect(readable(a, 5 as never)).rejects.toThrow(/options must be an object/);
    await expect(readable(a, { loop: {} as Loop })).rejects.toThrow(/options.loop must be an evkit Loop/);
    await expect(writable(a, { signal: {} as AbortSignal })).rejects.toThrow(/options.signal must be an AbortSignal/);
    const dead = new Loop();
    dead.destroy();
    await expect(readable(a, { loop: dead })).rejects.toMatchObject({ code: 'ERR_EVKIT_LOOP_DESTROYED' });
  });
});

describe('readable() on a blocking loop', () => {
  it('settles when run() gets to it', async () => {
    const loop = new Loop();
    const [a, b] = socketpair();
    let resolved = false;
    const pending = readable(a, { loop }).then(() => {
      resolved = true;
    });
    send(b, 'x');
    expect(loop.run()).toBe(false);
    await pending;
    expect(resolved).toBe(true);
    expect(loop.refCount).toBe(0);
    loop.destroy();
  });
});
