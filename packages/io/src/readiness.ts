import { constants } from 'node:os';
import { ERROR, EvError, READ, WRITE } from '@evkit/loop';
import { AbortError, watchOnce, type PromiseOptions } from '@evkit/loop/internal';
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
  return watchOnce(
    options,
    () => checkFd('fd', fd),
    (loop) => new Io<[], true>(loop, fd, events, { passEvents: true }),
    (io, settle) => {
      // A closed fd rejects the promise instead of reaching the loop's error path.
      io[kErrorSink] = settle;
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
    },
  );
}
