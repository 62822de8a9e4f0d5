import { constants } from 'node:os';
import { ERROR, EvError, READ, WRITE } from '@evkit/loop';
import { AbortError, watchOnce, type PromiseOptions } from '@evkit/loop/internal';
import { checkFd } from './check.js';
import { Io, kErrorSink } from './io.js';

/** The options of `readable()` and `writable()`: `loop` (default `Loop.default`) and an abort `signal`. */
export type ReadinessOptions = PromiseOptions;

/** The rejection of an aborted `readable()`/`writable()` (the same class as `@evkit/timer`'s). */
export { AbortError };

/**
 * Resolves once `fd` is readable (one-shot): data is there, or the peer
 * closed (a read then returns 0). The Io watcher behind it is closed either
 * way. The loop must be running: attached (as `Loop.default` is) or inside
 * `run()`; while waiting, the watcher keeps it (and the process) alive.
 *
 * @param fd - An open file descriptor that nothing else reads at the same
 *   time (pause a Node socket before using its fd).
 * @returns A promise that resolves to `undefined`; it rejects with an
 *   {@link AbortError} when `options.signal` aborts, with `EvError` `EBADF`
 *   when the fd is not open, is closed while waited for, or is retired by
 *   `closingFd()`, and with `TypeError`/`RangeError` for bad arguments. It
 *   never throws synchronously.
 *
 * @example
 * ```ts
 * import { readSync } from 'node:fs';
 * import { readable } from '@evkit/io';
 *
 * const buffer = Buffer.alloc(4096);
 * await readable(0); // stdin, on Loop.default
 * const n = readSync(0, buffer);
 * console.log(n === 0 ? 'EOF' : buffer.toString('utf8', 0, n));
 * ```
 */
export function readable(fd: number, options?: ReadinessOptions): Promise<void> {
  return ready(fd, READ, 'readable', options);
}

/**
 * Resolves once `fd` is writable (one-shot); otherwise the same as
 * {@link readable}.
 *
 * @returns A promise that resolves to `undefined`, or rejects as `readable()`'s.
 *
 * @example
 * ```ts
 * import { writeSync } from 'node:fs';
 * import { writable } from '@evkit/io';
 *
 * await writable(fd, { signal: AbortSignal.timeout(5000) }); // give up after 5 s
 * writeSync(fd, 'hello\n');
 * ```
 */
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
