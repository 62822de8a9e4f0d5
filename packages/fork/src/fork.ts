import { WatcherKind } from '@evkit/core-native/binding';
import { Watcher, type Loop, type NativeKind, type WatcherOptions } from '@evkit/loop';

/** The options of `new Fork()`: `ref` and `priority`, as every watcher's. */
export type ForkOptions = WatcherOptions;

const FORK: NativeKind = { kind: WatcherKind.Fork };

/**
 * A fork watcher (`ev_fork`): its callback runs once on the loop's next
 * iteration after `loop.reinit()` (`ev_loop_fork`), before the loop blocks and
 * in priority order with the other watchers pending then. On a loop created
 * with `FLAG_FORKCHECK` it also runs when libev notices by itself that the
 * process id changed. It never runs just because an iteration passed.
 *
 * evkit offers no `fork()`: a forked Node process cannot run JavaScript (see
 * the package README). Fork watchers serve code ported from gevent and native
 * code that forks and calls `ev_loop_fork` on a loop reached through `loop.ptr`.
 *
 * @example
 * ```ts
 * import { Loop } from '@evkit/loop';
 * import { Fork } from '@evkit/fork';
 *
 * const loop = new Loop();
 * const fork = new Fork(loop).start(() => console.log('the loop was reinitialised'));
 * loop.reinit(); // what a forked child does
 * loop.run({ nowait: true }); // prints the message
 * fork.close();
 * ```
 */
export class Fork<A extends unknown[] = unknown[]> extends Watcher<A> {
  /**
   * Makes a stopped fork watcher; `start()` starts it.
   *
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when `loop` is not an evkit
   *   `Loop`; `RangeError` (`ERR_OUT_OF_RANGE`) for a priority outside -2..2.
   * @throws `LoopDestroyedError` when the loop was destroyed.
   *
   * @example
   * ```ts
   * const fork = new Fork(loop, { ref: false }); // does not keep run() going
   * ```
   */
  constructor(loop: Loop, options?: ForkOptions) {
    super(loop, options);
  }

  /** A Fork is a transient kind: a native half only while active or pending. */
  protected override get nativeKind(): NativeKind {
    return FORK;
  }
}
