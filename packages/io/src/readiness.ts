import { constants } from 'node:os';
import { ERROR, EvError, Loop, READ, WRITE } from '@evkit/loop';
import { describe } from '@evkit/loop/internal';
import { checkFd } from './check.js';
import { Io, kErrorSink } from './io.js';

export interface ReadinessOptions {
  /** The loop whose io watcher waits; `Loop.default` (attached) when omitted. */
  loop?: Loop;
  /** Aborting it rejects the promise with an `AbortError` and closes the watcher. */
  signal?: AbortSignal;
}

/**
 * The rejection of an aborted `readable()`/`writable()`, shaped like Node's
 * (`timers/promises`) and `@evkit/timer`'s: `name` "AbortError", `code`
 * "ABORT_ERR", the signal's reason as `cause`.
 */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';

  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

/** Resolves once `fd` is readable (one-shot). */
export function readable(fd: number, options?: ReadinessOptions): Promise<void> {
  return ready(fd, READ, 'readable', options);
}

/** Resolves once `fd` is writable (one-shot). */
export function writable(fd: number, options?: ReadinessOptions): Promise<void> {
  return ready(fd, WRITE, 'writable', options);
}

function ready(fd: number, events: number, name: string, options: ReadinessOptions = {}): Promise<void> {
  try {
    checkFd('fd', fd);
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`options must be an object, got ${describe(options)}`);
    }
    if (options.loop !== undefined && !(options.loop instanceof Loop)) {
      throw new TypeError(`options.loop must be an evkit Loop, got ${describe(options.loop)}`);
    }
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw new TypeError(`options.signal must be an AbortSignal, got ${describe(options.signal)}`);
    }
  } catch (error) {
    return Promise.reject(error);
  }
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
  const loop = options.loop ?? Loop.default;
  return new Promise<void>((resolve, reject) => {
    let io: Io<[]>;
    try {
      io = new Io<[]>(loop, fd, events, { passEvents: true });
    } catch (error) {
      reject(error);
      return;
    }
    const settle = (error?: unknown): void => {
      signal?.removeEventListener('abort', onAbort);
      io.close();
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = (): void => settle(new AbortError(undefined, { cause: signal?.reason }));
    // A closed fd rejects the promise instead of reaching the loop's error path.
    io[kErrorSink] = settle;
    try {
      io.start((revents: number) => {
        if ((revents & ERROR) === 0) {
          settle();
        } else {
          settle(
            new EvError(`fd ${fd} was retired with closingFd() while ${name}() waited for it`, 'EBADF', {
              errno: constants.errno.EBADF,
            }),
          );
        }
      });
    } catch (error) {
      io.close();
      reject(error);
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
