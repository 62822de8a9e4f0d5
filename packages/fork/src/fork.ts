import { WatcherKind } from '@evkit/core-native/binding';
import { Watcher, type Loop, type NativeKind, type WatcherOptions } from '@evkit/loop';

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
 */
export class Fork<A extends unknown[] = unknown[]> extends Watcher<A> {
  constructor(loop: Loop, options?: ForkOptions) {
    super(loop, options);
  }

  protected override get nativeKind(): NativeKind {
    return FORK;
  }
}
