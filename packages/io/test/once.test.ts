// once(fd | null, events, timeout): Perl EV's EV::once from an Io and a timer,
// as a promise of the revents or with a callback; blocking and attached.
import { closeSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { EvError, Loop, READ, TIMER, WRITE } from '@evkit/loop';
import { AbortError, once } from '@evkit/io';
import { useCleanDefaultLoop, useFreshLoop } from '@evkit/test-utils';
import { closeAllFds, fill, send, socketpair } from './helpers.js';

afterEach(() => closeAllFds());

describe('once() on a blocking run()', () => {
  const fresh = useFreshLoop();

  it('the callback gets READ when the fd is ready first, and both watchers are gone', () => {
    const loop = fresh();
    const [a, b] = socketpair();
    send(b, 'x');
    const seen: number[] = [];
    once(a, 'r', 60, (revents) => seen.push(revents), { loop });
    expect(loop.activeCount).toBe(2);
    expect(loop.run()).toBe(false);
    expect(seen).toEqual([READ]);
    expect(loop.activeCount).toBe(0);
  });

  it('the callback gets TIMER when the timeout comes first, WRITE on a socket with room', () => {
    const loop = fresh();
    const [a] = socketpair();
    fill(a);
    const seen: number[] = [];
    once(a, WRITE, 0.01, (revents) => seen.push(revents), { loop });
    once(null, 0, 0.001, (revents) => seen.push(revents), { loop });
    const [c] = socketpair();
    once(c, 'w', null, (revents) => seen.push(revents), { loop });
    loop.run();
    expect(seen.sort()).toEqual([WRITE, TIMER, TIMER].sort());
  });

  it('abort() cancels the callback form: nothing runs and nothing keeps the loop', () => {
    const loop = fresh();
    const controller = new AbortController();
    let ran = false;
    once(null, 0, 60, () => (ran = true), { loop, signal: controller.signal });
    controller.abort();
    expect(loop.run()).toBe(false);
    expect(ran).toBe(false);
  });

  it('bad arguments throw typed errors naming them, synchronously in the callback form', async () => {
    const loop = fresh();
    const cb = () => {};
    expect(() => once(null, 0, null, cb, { loop })).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => once(-1, 'r', 1, cb, { loop })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE', message: expect.stringMatching(/^fd /) }));
    expect(() => once(0, 'x' as never, 1, cb, { loop })).toThrow(/illegal event mask/);
    expect(() => once(null, 0, -1, cb, { loop })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE', message: expect.stringMatching(/^timeout /) }));
    expect(() => once(null, 0, 1, cb, { loop: {} as never })).toThrow(/options\.loop/);
    await expect(once(null, 0, 1, 5 as never)).rejects.toThrow(/options must be an object/); // the promise form
    expect(loop.activeCount).toBe(0);
  });
});

describe('once() as a promise on Loop.default', () => {
  useCleanDefaultLoop();

  it('resolves to READ when data arrives before the timeout', async () => {
    const [a, b] = socketpair();
    const pending = once(a, READ, 60);
    setTimeout(() => send(b, 'x'), 5);
    expect(await pending).toBe(READ);
    expect(Loop.default.refCount).toBe(0);
  });

  it('resolves to TIMER on timeout; rejects AbortError on abort and EBADF for a closed fd, never throwing', async () => {
    const [a] = socketpair();
    expect(await once(a, 'r', 0.005)).toBe(TIMER);
    const controller = new AbortController();
    const aborted = once(null, 0, 60, { signal: controller.signal });
    controller.abort('stop');
    await expect(aborted).rejects.toEqual(expect.objectContaining({ name: 'AbortError', cause: 'stop' }));
    await expect(once(null, 0, 1, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    const [c] = socketpair();
    closeSync(c);
    await expect(once(c, 'r', 1)).rejects.toEqual(expect.objectContaining({ code: 'EBADF' }));
    await expect(once(null, 0, null)).rejects.toBeInstanceOf(RangeError);
    expect(Loop.default.refCount).toBe(0);
  });

  it('an fd closed while waited for rejects with EBADF instead of reaching the error path', async () => {
    const [a] = socketpair();
    const pending = once(a, 'r', 60);
    setTimeout(() => closeSync(a), 5);
    await expect(pending).rejects.toBeInstanceOf(EvError);
  });
});
