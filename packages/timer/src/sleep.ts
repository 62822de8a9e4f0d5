import { Timer } from './timer.js';
import { checkSeconds } from './check.js';
import { AbortError, watchOnce, type PromiseOptions } from '@evkit/loop/internal';

/** The options of `sleep()`: `loop` (default `Loop.default`) and an abort `signal`. */
export type SleepOptions = PromiseOptions;

/** The rejection of an aborted `sleep()` (the same class as `@evkit/io`'s). */
export { AbortError };

/**
 * Resolves after `seconds` on `loop`'s clock, like `timers/promises`'
 * `setTimeout` but on an evkit timer. The loop must be running: attached
 * (as `Loop.default` is), or inside `run()`. While waiting, the timer keeps
 * the loop (and an attached loop's process) alive.
 *
 * @param seconds - How long, from -`MAX_TIME` to `MAX_TIME` (0 or less: the next iteration).
 * @returns A promise that resolves to `undefined`; it rejects with an
 *   {@link AbortError} when `options.signal` aborts (its timer is closed),
 *   with a `TypeError`/`RangeError` for bad arguments, and with
 *   `LoopDestroyedError` for a destroyed loop. It never throws synchronously.
 *
 * @example
 * ```ts
 * import { sleep } from '@evkit/timer';
 *
 * await sleep(0.25); // on Loop.default
 *
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(), 100);
 * await sleep(10, { signal: controller.signal }).catch((error) => console.log(error.name)); // "AbortError"
 * ```
 */
export function sleep(seconds: number, options: SleepOptions = {}): Promise<void> {
  return watchOnce(
    options,
    () => checkSeconds('seconds', seconds),
    (loop) => new Timer(loop, seconds),
    (timer, settle) => timer.start(() => settle()),
  );
}
