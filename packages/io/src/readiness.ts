import { constants } from 'node:os';
import { ERROR, EvError, READ, WRITE } from '@evkit/loop';
import { AbortError, abortError, checkPromiseOptions, type PromiseOptions } from '@evkit/loop/internal';
import { checkFd } from './check.js';
import { Io, kErrorSink } from './io.js';

export type ReadinessOptions = PromiseOptions;

/** The rejection of an aborted `readable()`/`writable()` (the same class as `@evkit/timer`'s). */
export { AbortError };

/** Resolves once `fd` is readable (one-shot). */
export function readable(fd: number, options?: ReadinessOptions): Promise<void> {
  return ready(fd, READ, 'readable', options);
}

/** Resolves once `fd` is writable (one-shot). */
export function writable(fd: number, options?: ReadinessOptions): Promise<void> {
  return ready(fd, WRITE, 'writable', options);
}

function ready(fd: number, events: number, name: string, options: ReadinessOptions = {}): Promise<void> {
  let checked: ReturnType<typeof checkPromiseOptions>;
  try {
    checkFd('fd', fd);
    checked = checkPromiseOptions(options);
  } catch (error) {
    return Promise.reject(error);
  }
  const { signal } = checked;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const loop = checked.loop();
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
    const onAbort = (): void => settle(abortError(signal));
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
