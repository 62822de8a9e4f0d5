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
