import { WatcherKind } from '@evkit/core-native/binding';
import { CLEANUP, Watcher, type Loop, type NativeKind, type WatcherCallbackOf, type WatcherOptions } from '@evkit/loop';
import { checkOptions, destroyHooks, reportError } from '@evkit/loop/internal';

/** The options of `new Cleanup()`: as every watcher's, but `ref` defaults to false. */
export type CleanupOptions = WatcherOptions;

const CLEANUP_KIND: NativeKind = { kind: WatcherKind.Cleanup };

/**
 * Runs its callback when its loop is destroyed (`ev_cleanup`): `loop.destroy()`
 * first runs every active Cleanup, by priority (highest first) and then the
 * latest started first, while the loop and its watchers still work; then it
 * closes the watchers and frees the loop. The callback gets `CLEANUP` as the
 * event. What it throws goes to `loop.errorHandler`, or else is thrown by
 * `destroy()` (an attached loop reports it as `'uncaughtException'`). A
 * `destroy()` from a cleanup callback does nothing more. Nothing runs when the
 * process or a worker exits without `destroy()`: JS cannot run then.
 *
 * Unlike other watchers, a Cleanup does not keep its loop alive unless
 * `ref: true` is given (libev's rule).
 *
 * @example
 * ```ts
 * import { Loop } from '@evkit/loop';
 * import { Cleanup } from '@evkit/prepare-check';
 *
 * const loop = new Loop();
 * new Cleanup(loop).start(() => console.log('flushing before the loop goes'));
 * loop.destroy(); // "flushing before the loop goes"
 * ```
 */
export class Cleanup<A extends unknown[] = unknown[]> extends Watcher<A> {
  /**
   * Makes a stopped cleanup watcher; `start()` arms it.
   *
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when `loop` is not an evkit
   *   `Loop`; `RangeError` (`ERR_OUT_OF_RANGE`) for a priority outside -2..2.
   * @throws `LoopDestroyedError` when the loop was destroyed.
   */
  constructor(loop: Loop, options?: CleanupOptions) {
    super(loop, { ref: false, ...checkOptions('options', options) });
  }

  /** A transient kind: a native half only while active or pending. */
  protected override get nativeKind(): NativeKind {
    return CLEANUP_KIND;
  }

  /** Arms it for the loop's `destroy()`, as every watcher's `start()`. */
  override start<B extends A>(callback: WatcherCallbackOf<this, B>, ...args: B): this {
    super.start(callback, ...args);
    destroyHooks.add(this.loop, this, this.priority, () => this.#run());
    return this;
  }

  /** Disarms it, as every watcher's `stop()`. */
  override stop(): this {
    if (!this.closed) destroyHooks.remove(this.loop, this);
    return super.stop();
  }

  /** Closes it, as every watcher's `close()`. */
  override close(): void {
    if (!this.closed) destroyHooks.remove(this.loop, this);
    super.close();
  }

  #run(): void {
    if (this.closed || !this.active) return;
    try {
      this.invoke(CLEANUP);
    } catch (error) {
      reportError(this.loop, error, this);
    }
  }
}
