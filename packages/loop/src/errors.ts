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
