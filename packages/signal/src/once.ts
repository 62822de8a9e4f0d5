import { AbortError, watchOnce, type PromiseOptions } from '@evkit/loop/internal';
import { resolveSignal } from './names.js';
import { Signal } from './signal.js';

/** The options of `signalled()`: `loop` (default `Loop.default`) and an abort `signal`. */
export type SignalledOptions = PromiseOptions;

export { AbortError };

/**
 * Resolves the next time the process receives `signum`, like `events.once(process, 'SIGTERM')`
 * but on an evkit loop: the Signal watcher behind it is closed then. While waiting, the watcher keeps the
 * loop (and, on `Loop.default`, the process) alive, and Node's own `process.on(signum)` listeners keep
 * firing too.
 *
 * @param signum - A signal number or name, as `new Signal()` takes it.
 * @returns A promise that resolves to `undefined`; it rejects with an {@link AbortError} when
 *   `options.signal` aborts, with `RangeError`/`TypeError` for a bad signal or options, and with
 *   `EvError` when the signal cannot be watched. It never throws synchronously.
 *
 * @example
 * ```ts
 * import { signalled } from '@evkit/signal';
 *
 * await signalled('SIGTERM'); // on Loop.default
 * console.log('shutting down');
 * ```
 */
export function signalled(signum: number | string, options: SignalledOptions = {}): Promise<void> {
  return watchOnce(
    options,
    () => resolveSignal(signum),
    (loop) => new Signal(loop, signum),
    (watcher, settle) => watcher.start(() => settle()),
  );
}
