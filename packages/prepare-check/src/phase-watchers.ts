import { WatcherKind } from '@evkit/core-native/binding';
import { Watcher, type Loop, type NativeKind, type WatcherOptions } from '@evkit/loop';

/** The options of `new Prepare()`, `new Check()` and `new Idle()`: `ref` and `priority`, as every watcher's. */
export type PhaseWatcherOptions = WatcherOptions;

const PREPARE: NativeKind = { kind: WatcherKind.Prepare };
const CHECK: NativeKind = { kind: WatcherKind.Check };
const IDLE: NativeKind = { kind: WatcherKind.Idle };

/**
 * Runs its callback once per loop iteration, just before the loop blocks for
 * events (`ev_prepare`). Prepares started by the user run before the loop's
 * `runCallback` queue.
 *
 * @example
 * ```ts
 * import { Loop } from '@evkit/loop';
 * import { Prepare } from '@evkit/prepare-check';
 *
 * const loop = new Loop();
 * const lines: string[] = [];
 * // Write out what this iteration's callbacks buffered, once, before the loop blocks.
 * new Prepare(loop, { ref: false }).start(() => {
 *   if (lines.length > 0) console.log(lines.splice(0).join('\n'));
 * });
 * ```
 */
export class Prepare<A extends unknown[] = unknown[]> extends Watcher<A> {
  /**
   * Makes a stopped prepare watcher; `start()` starts it. Pass `{ ref: false }`
   * unless it alone should keep `run()` going (it would never return).
   *
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when `loop` is not an evkit
   *   `Loop`; `RangeError` (`ERR_OUT_OF_RANGE`) for a priority outside -2..2.
   * @throws `LoopDestroyedError` when the loop was destroyed.
   *
   * @example
   * ```ts
   * const prepare = new Prepare(loop, { ref: false });
   * ```
   */
  constructor(loop: Loop, options?: PhaseWatcherOptions) {
    super(loop, options);
  }

  /** A transient kind: a native half only while active or pending. */
  protected override get nativeKind(): NativeKind {
    return PREPARE;
  }
}

/**
 * Runs its callback once per loop iteration, just after the loop wakes from
 * polling (`ev_check`). libev advises `priority: MAXPRI` for a check that
 * must run before the callbacks of the events the poll found.
 *
 * @example
 * ```ts
 * import { Loop } from '@evkit/loop';
 * import { Check } from '@evkit/prepare-check';
 *
 * const loop = new Loop();
 * let wakeups = 0;
 * new Check(loop, { ref: false }).start(() => wakeups++);
 * ```
 */
export class Check<A extends unknown[] = unknown[]> extends Watcher<A> {
  /**
   * Makes a stopped check watcher; `start()` starts it. As with `Prepare`,
   * `{ ref: false }` lets `run()` return while it is active.
   *
   * @throws As `Prepare`'s constructor.
   *
   * @example
   * ```ts
   * const check = new Check(loop, { ref: false });
   * ```
   */
  constructor(loop: Loop, options?: PhaseWatcherOptions) {
    super(loop, options);
  }

  /** A transient kind: a native half only while active or pending. */
  protected override get nativeKind(): NativeKind {
    return CHECK;
  }
}

/**
 * Runs its callback on every iteration in which no watcher of the same or a
 * higher priority is pending (`ev_idle`); while active the loop never blocks.
 *
 * @example
 * ```ts
 * import { Loop } from '@evkit/loop';
 * import { Idle } from '@evkit/prepare-check';
 *
 * // Background work in small slices, whenever nothing else is pending.
 * const loop = new Loop();
 * let left = 1000;
 * new Idle(loop).start(function () {
 *   left -= 10; // one slice
 *   if (left === 0) this.stop();
 * });
 * loop.run();
 * ```
 */
export class Idle<A extends unknown[] = unknown[]> extends Watcher<A> {
  /**
   * Makes a stopped idle watcher; `start()` starts it.
   *
   * @throws As `Prepare`'s constructor.
   *
   * @example
   * ```ts
   * const idle = new Idle(loop, { priority: MINPRI }); // waits for every other priority
   * ```
   */
  constructor(loop: Loop, options?: PhaseWatcherOptions) {
    super(loop, options);
  }

  /** A transient kind: a native half only while active or pending. */
  protected override get nativeKind(): NativeKind {
    return IDLE;
  }
}
