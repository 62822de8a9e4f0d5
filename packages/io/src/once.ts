import { constants } from 'node:os';
import { WatcherKind } from '@evkit/core-native/binding';
import { ERROR, EvError, TIMER, Watcher, type Loop, type NativeKind } from '@evkit/loop';
import {
  AbortError,
  abortError,
  argValueError,
  checkFunction,
  checkPromiseOptions,
  checkTime,
  type PromiseOptions,
} from '@evkit/loop/internal';
import { checkFd, parseEvents, type IoEvents } from './check.js';
import { Io, kErrorSink } from './io.js';

/** The options of `once()`: `loop` (default `Loop.default`) and an abort `signal`. */
export type OnceOptions = PromiseOptions;

/** `once()`'s callback: `READ`/`WRITE` (the fd is ready) or `TIMER` (the timeout came first). */
export type OnceCallback = (revents: number) => void;

export { AbortError };

const TIMER_KIND: NativeKind = { kind: WatcherKind.Timer };

/** The timeout half: a plain one-shot timer (this package does not depend on @evkit/timer). */
class Timeout extends Watcher<[]> {
  constructor(loop: Loop, seconds: number) {
    super(loop, undefined, seconds, 0);
  }

  protected override get nativeKind(): NativeKind {
    return TIMER_KIND;
  }
}

/**
 * Waits once for `fd` to become ready for `events`, or for `timeout` seconds,
 * whichever comes first: Perl EV's `EV::once`, built from an Io and a timer
 * watcher (not libev's `ev_once`, which cannot be cancelled and would watch
 * an fd closed meanwhile). Both watchers are closed when it settles.
 *
 * The promise form resolves to the revents: `READ` and/or `WRITE`, or `TIMER`.
 * The callback form calls `callback(revents)` once, and nothing when aborted.
 * The loop must be running (attached, as `Loop.default` is, or inside
 * `run()`); while waiting, the watchers keep it alive.
 *
 * @param fd - An open file descriptor, or `null` to wait for the timeout only.
 * @param events - `READ`, `WRITE` or `READWRITE` (or `"r"`, `"w"`, `"rw"`); ignored when `fd` is `null`.
 * @param timeout - Seconds, from 0 to `MAX_TIME`; `null` or `undefined` for none (then `fd` is required).
 * @returns The promise form rejects with an {@link AbortError} when `options.signal` aborts, with `EvError`
 *   `EBADF` when `fd` is not open or is closed or retired (`closingFd()`) while waited for, and with
 *   `TypeError`/`RangeError` for bad arguments; it never throws synchronously. The callback form throws
 *   those argument errors synchronously, and hands an `EBADF` to the loop's error path.
 *
 * @example
 * ```ts
 * import { TIMER } from '@evkit/loop';
 * import { once } from '@evkit/io';
 *
 * const revents = await once(0, 'r', 5); // stdin readable, or 5 s on Loop.default
 * console.log(revents === TIMER ? 'timed out' : 'stdin is readable');
 * ```
 */
export function once(fd: number | null, events: IoEvents, timeout: number | null | undefined, options?: OnceOptions): Promise<number>;
export function once(
  fd: number | null,
  events: IoEvents,
  timeout: number | null | undefined,
  callback: OnceCallback,
  options?: OnceOptions,
): void;
export function once(
  fd: number | null,
  events: IoEvents,
  timeout: number | null | undefined,
  callbackOrOptions?: OnceCallback | OnceOptions,
  maybeOptions?: OnceOptions,
): Promise<number> | void {
  if (typeof callbackOrOptions === 'function') {
    checkFunction('callback', callbackOrOptions);
    const callback = callbackOrOptions;
    wait(fd, events, timeout, maybeOptions, (revents, error) => {
      if (error === undefined) callback(revents);
      else if (!(error instanceof AbortError)) throw error;
    });
    return;
  }
  return new Promise<number>((resolve, reject) => {
    wait(fd, events, timeout, callbackOrOptions, (revents, error) => (error === undefined ? resolve(revents) : reject(error)));
  });
}

/** Checks the arguments (throwing), then starts the watchers; `done` runs once. */
function wait(
  fd: number | null,
  events: IoEvents,
  timeout: number | null | undefined,
  options: OnceOptions = {},
  done: (revents: number, error?: unknown) => void,
): void {
  if (fd !== null) checkFd('fd', fd);
  const mask = fd === null ? 0 : parseEvents(events);
  if (timeout !== null && timeout !== undefined) checkTime('timeout', timeout, 0);
  else if (fd === null) throw argValueError('once() needs an fd or a timeout: both are null');
  const { loop: loopOf, signal } = checkPromiseOptions(options);
  if (signal?.aborted) {
    done(0, abortError(signal));
    return;
  }
  const loop = loopOf();
  const watchers: { close(): void }[] = [];
  let settled = false;
  const settle = (revents: number, error?: unknown): void => {
    if (settled) return;
    settled = true;
    signal?.removeEventListener('abort', onAbort);
    for (const watcher of watchers) watcher.close();
    done(revents, error);
  };
  const onAbort = (): void => settle(0, abortError(signal));
  try {
    if (fd !== null) {
      const io = new Io<[], true>(loop, fd, mask, { passEvents: true });
      watchers.push(io);
      io[kErrorSink] = (error) => settle(0, error);
      io.start((revents: number) => {
        if ((revents & ERROR) === 0) settle(revents);
        else settle(0, new EvError(`fd ${fd} was retired with closingFd() while once() waited for it`, 'EBADF', { errno: constants.errno.EBADF }));
      });
    }
    if (timeout !== null && timeout !== undefined) {
      const timer = new Timeout(loop, timeout);
      watchers.push(timer);
      timer.start(() => settle(TIMER));
    }
  } catch (error) {
    settle(0, error);
    return;
  }
  signal?.addEventListener('abort', onAbort, { once: true });
}
