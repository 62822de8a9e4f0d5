import { AbortError, watchOnce, type PromiseOptions } from '@evkit/loop/internal';
import type { FileStats } from './file-stats.js';
import { Stat, type StatPath } from './stat.js';

/** The options of `changed()`: `loop` (default `Loop.default`), an abort `signal` and the polling `interval`. */
export interface ChangedOptions extends PromiseOptions {
  /** Seconds between polls when inotify cannot be used, as `new Stat()` takes it (default 0: libev's). */
  interval?: number;
}

export { AbortError };

/**
 * Resolves with the new attributes the next time `path` changes (created, removed, modified,
 * touched...), or `null` when it no longer exists: a one-shot Stat watcher, closed then.
 *
 * @param path - The path to watch, as `new Stat()` takes it.
 * @returns A promise of the new `FileStats`, or `null` for a path that is gone; it rejects with an
 *   {@link AbortError} when `options.signal` aborts, and with `TypeError`/`RangeError` for bad
 *   arguments. It never throws synchronously.
 *
 * @example
 * ```ts
 * import { changed } from '@evkit/stat';
 *
 * const stats = await changed('/tmp/config.json', { signal: AbortSignal.timeout(60_000) });
 * console.log(stats === null ? 'removed' : `now ${stats.size} bytes`);
 * ```
 */
export function changed(path: StatPath, options: ChangedOptions = {}): Promise<FileStats | null> {
  let stats: FileStats | null = null;
  const interval = options?.interval ?? 0;
  return watchOnce(
    options,
    () => {},
    (loop) => new Stat(loop, path, interval),
    (watcher, settle) =>
      watcher.start(function (this: Stat) {
        stats = this.attr;
        settle();
      }),
  ).then(() => stats);
}
