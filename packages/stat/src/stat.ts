import { Buffer } from 'node:buffer';
import { fileURLToPath } from 'node:url';
import { WatcherKind, binding } from '@evkit/core-native/binding';
import { Watcher, type Loop, type NativeKind, type WatcherOptions } from '@evkit/loop';
import { argTypeError, argValueError, checkTime, describe } from '@evkit/loop/internal';
import { FileStats } from './file-stats.js';

/** The options of `new Stat()`: `ref` and `priority`, as every watcher's. */
export type StatOptions = WatcherOptions;

/** What `new Stat()` accepts as a path. */
export type StatPath = string | Buffer | Uint8Array | URL;

/** The path as bytes for the binding, and as the `path` getter shows it. */
function normalizePath(path: unknown): { bytes: Buffer; shown: string | Buffer } {
  let shown: string | Buffer;
  if (typeof path === 'string') {
    shown = path;
  } else if (path instanceof Uint8Array) {
    shown = Buffer.from(path); // a copy: later changes to the caller's buffer do not move the watch
  } else if (path instanceof URL) {
    if (path.protocol !== 'file:') {
      throw argTypeError(`path must be a file: URL, got a ${path.protocol} URL`);
    }
    shown = fileURLToPath(path); // TypeError for a host or an encoded '/'
  } else {
    throw argTypeError(`path must be a string, a Buffer or a file: URL, got ${describe(path)}`);
  }
  const bytes = typeof shown === 'string' ? Buffer.from(shown, 'utf8') : shown;
  if (bytes.length === 0) throw argValueError('path must not be empty');
  if (bytes.includes(0)) throw argValueError('path must not contain a NUL byte');
  return { bytes, shown };
}

// Persistent: attr and prev stay readable while stopped.
const STAT: NativeKind = { kind: WatcherKind.Stat, persistent: true };

/** Watches a path's attributes (`lstat()`): the callback runs when any of
 * dev, ino, mode, nlink, uid, gid, rdev, size, mtime or ctime changed (times
 * to the nanosecond; atime to the second), and when the path appears or
 * disappears. Uses inotify (one instance per loop) and, where inotify cannot
 * see every change or is off (`FLAG_NOINOTIFY`), polls every `interval`
 * seconds.
 *
 * `interval` follows libev's `ev_stat`: 0 means libev's default (5.0074891 s
 * without inotify, 30.1074891 s as back-up on file systems inotify may
 * miss), and values below 0.1074891 s become 0.1074891 s when the watcher
 * starts.
 *
 * @example
 * ```ts
 * import { Loop } from '@evkit/loop';
 * import { Stat } from '@evkit/stat';
 *
 * new Stat(Loop.default, '/etc/hosts').start(function () {
 *   if (this.attr === null) console.log('removed');
 *   else console.log('changed: size', this.prev?.size, '->', this.attr.size);
 * });
 * ```
 */
export class Stat<A extends unknown[] = unknown[]> extends Watcher<A> {
  readonly #path: string | Buffer;

  /**
   * Makes a stopped watcher of `path` (which need not exist yet); `start()`
   * starts it and reads the attributes a first time.
   *
   * @param path - A string, a Buffer or `Uint8Array` (copied), or a `file:` URL.
   * @param interval - Seconds between polls where polling is needed; 0 (the
   *   default) lets libev choose, see the class description.
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when `loop` is not an evkit
   *   `Loop`, for a path of another type, a URL that is not `file:` (or that
   *   Node cannot turn into a path), and for a non-number `interval`.
   * @throws `RangeError` (`ERR_INVALID_ARG_VALUE`) for an empty path or one
   *   with a NUL byte.
   * @throws `RangeError` (`ERR_OUT_OF_RANGE`) for a negative, non-finite or
   *   over-`MAX_TIME` `interval`, or a priority outside -2..2.
   * @throws `LoopDestroyedError` when the loop was destroyed.
   *
   * @example
   * ```ts
   * const config = new Stat(loop, new URL('./config.json', import.meta.url), 1);
   * ```
   */
  constructor(loop: Loop, path: StatPath, interval = 0, options?: StatOptions) {
    const { bytes, shown } = normalizePath(path);
    checkTime('interval', interval, 0);
    super(loop, options);
    this.adopt((loopId, flags) => binding.statCreate(loopId, flags, bytes, interval));
    this.#path = shown;
  }

  /** A Stat is a persistent kind: its native half lives from the constructor to `close()`. */
  protected override get nativeKind(): NativeKind {
    return STAT;
  }

  /** `path=` and `interval=` for util.inspect. */
  protected override inspectSettings(): string[] {
    return [`path=${JSON.stringify(this.path.toString())}`, `interval=${this.interval}`];
  }

  /** The watched path: a string (also for a file: URL), or a copy of the Buffer given. */
  get path(): string | Buffer {
    this.nativeId();
    return typeof this.#path === 'string' ? this.#path : Buffer.from(this.#path);
  }

  /**
   * Seconds between polls as configured: the value given until the watcher
   * starts, then libev's clamp applied (0 stays 0 and means the default;
   * anything below 0.1074891 becomes 0.1074891).
   */
  get interval(): number {
    return binding.statInterval(this.nativeId());
  }

  /**
   * Seconds between the polls actually made right now: 0 while inotify sees
   * every change (or while stopped), else `interval` or its default.
   */
  get pollInterval(): number {
    return binding.statPollInterval(this.nativeId());
  }

  /** Whether the active watcher uses inotify (false while stopped or polling only). */
  get usesInotify(): boolean {
    return binding.statUsesInotify(this.nativeId());
  }

  /** The attributes at the last check; null before the first start and while the path does not exist. */
  get attr(): FileStats | null {
    const raw = binding.statAttr(this.nativeId());
    return raw === null ? null : new FileStats(raw);
  }

  /** The attributes before the last change; null until a change, or when the path did not exist before it. */
  get prev(): FileStats | null {
    const raw = binding.statPrev(this.nativeId());
    return raw === null ? null : new FileStats(raw);
  }

  /**
   * Reads the attributes now into `attr` (`ev_stat_stat`): `prev` stays, nothing fires.
   *
   * @returns The new `attr`: `null` when the path does not exist.
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * const watcher = new Stat(loop, '/tmp/evkit-demo');
   * console.log(watcher.stat()?.size ?? 'no such file');
   * ```
   */
  stat(): FileStats | null {
    binding.statStat(this.nativeId());
    return this.attr;
  }
}
