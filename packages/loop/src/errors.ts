import { getSystemErrorMap } from 'node:util';

/** Base class of evkit's errors. `code` is stable; messages may change. */
export class EvError extends Error {
  readonly code: string;
  readonly errno: number | undefined;
  readonly syscall: string | undefined;

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

/** An operation on a loop (or a watcher of a loop) after `destroy()`. */
export class LoopDestroyedError extends EvError {
  constructor() {
    super('operation on destroyed loop', 'ERR_EVKIT_LOOP_DESTROYED');
  }
}

/** An operation on a watcher after `close()`. */
export class WatcherClosedError extends EvError {
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

/** A call that needs a callback the watcher does not have yet (`feed()`, `again()`). */
export function stateTypeError(message: string): TypeError & { code: string } {
  return withCode(new TypeError(message), 'ERR_EVKIT_NO_CALLBACK');
}
