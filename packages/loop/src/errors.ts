import { getSystemErrorMap } from 'node:util';

/**
 * Base class of evkit's errors (argument errors aside, which are Node-style
 * `TypeError`s and `RangeError`s). Test `code`, which is stable; messages may
 * change.
 *
 * @example
 * ```ts
 * import { EvError, Loop } from '@evkit/loop';
 *
 * try {
 *   new Loop({ flags: 'kqueue' }); // a BSD/macOS backend
 * } catch (error) {
 *   if (error instanceof EvError && error.code === 'ERR_EVKIT_UNSUPPORTED_BACKEND') {
 *     console.log('no kqueue here:', error.message);
 *   } else {
 *     throw error;
 *   }
 * }
 * ```
 */
export class EvError extends Error {
  /** What went wrong, for programs: `"ERR_EVKIT_..."`, or an errno name such as `"EBADF"` for a system error. */
  readonly code: string;
  /** The positive errno of a system error (`9` for EBADF on Linux); `undefined` for evkit's own errors. */
  readonly errno: number | undefined;
  /** The system call that failed (`"fcntl"`, `"ev_loop_new"`, ...); `undefined` for evkit's own errors. */
  readonly syscall: string | undefined;

  /**
   * Watcher packages make these; applications only catch them.
   *
   * @param message - What happened, worded for people.
   * @param code - The stable code programs test.
   * @param details - `errno` and `syscall` of a system error, and the `cause` (as `Error`'s).
   */
  constructor(message: string, code: string, details: { errno?: number; syscall?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.errno = details.errno;
    this.syscall = details.syscall;
  }
}

/**
 * An error from a system call, worded like Node's: `what: EMFILE: too many
 * open files`, with `errno` and `syscall`; `code` is the errno's name unless
 * given.
 */
export function systemError(what: string, errno: number, syscall: string, code?: string): EvError {
  const [name, description] = getSystemErrorMap().get(-errno) ?? [`errno ${errno}`, 'unknown error'];
  return new EvError(`${what}: ${name}: ${description}`, code ?? name, { errno, syscall });
}

/**
 * Thrown by an operation on a loop (or a watcher of a loop) after the loop's
 * `destroy()`; `code` is `"ERR_EVKIT_LOOP_DESTROYED"`.
 *
 * @example
 * ```ts
 * import { Loop, LoopDestroyedError } from '@evkit/loop';
 *
 * const loop = new Loop();
 * loop.destroy();
 * try {
 *   loop.run();
 * } catch (error) {
 *   console.log(error instanceof LoopDestroyedError); // true
 * }
 * ```
 */
export class LoopDestroyedError extends EvError {
  /** evkit makes these; applications only catch them. */
  constructor() {
    super('operation on destroyed loop', 'ERR_EVKIT_LOOP_DESTROYED');
  }
}

/**
 * Thrown by any member but `close()` and `closed` of a watcher after its
 * `close()`; `code` is `"ERR_EVKIT_WATCHER_CLOSED"`.
 *
 * @example
 * ```ts
 * import { Loop, WatcherClosedError } from '@evkit/loop';
 * import { Timer } from '@evkit/timer';
 *
 * const timer = new Timer(new Loop(), 1);
 * timer.close();
 * try {
 *   timer.start(() => {});
 * } catch (error) {
 *   console.log(error instanceof WatcherClosedError); // true
 * }
 * ```
 */
export class WatcherClosedError extends EvError {
  /** @param kind - The watcher class's name (`"Timer"`), for the message. */
  constructor(kind: string) {
    super(`operation on closed ${kind} watcher`, 'ERR_EVKIT_WATCHER_CLOSED');
  }
}

/** Node's code for an argument error, set as `code` on the TypeError/RangeError. */
type ArgumentCode = 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE' | 'ERR_OUT_OF_RANGE';

function withCode<E extends Error>(error: E, code: ArgumentCode | 'ERR_EVKIT_NO_CALLBACK'): E & { code: string } {
  return Object.assign(error, { code });
}

/** An argument of the wrong type (`ERR_INVALID_ARG_TYPE`); the message names it and what is allowed. */
export function argTypeError(message: string): TypeError & { code: string } {
  return withCode(new TypeError(message), 'ERR_INVALID_ARG_TYPE');
}

/** An argument of the right type but not one of the allowed values (`ERR_INVALID_ARG_VALUE`). */
export function argValueError(message: string): RangeError & { code: string } {
  return withCode(new RangeError(message), 'ERR_INVALID_ARG_VALUE');
}

/** A number outside its allowed range (`ERR_OUT_OF_RANGE`). */
export function outOfRangeError(message: string): RangeError & { code: string } {
  return withCode(new RangeError(message), 'ERR_OUT_OF_RANGE');
}

/**
 * A call that needs a callback the watcher does not have yet (`feed()`,
 * `again()`): the watcher's state, not an argument, is wrong.
 */
/** Any operation but resume() and destroy() on a suspended loop or its watchers. */
export function suspendedError(): EvError {
  return new EvError('the loop is suspended: resume() it first (libev allows no other call meanwhile)', 'ERR_EVKIT_SUSPENDED');
}

export function noCallbackError(message: string): EvError {
  return new EvError(message, 'ERR_EVKIT_NO_CALLBACK');
}
