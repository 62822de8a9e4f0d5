import { WatcherKind, binding } from '@evkit/core-native/binding';
import { MAX_TIME, Watcher, type Loop, type NativeKind, type WatcherCallback, type WatcherCallbackOf, type WatcherOptions } from '@evkit/loop';
import { checkInterval, checkSeconds } from './check.js';
import { checkFunction, checkOptions, describe, noCallbackError, outOfRangeError } from '@evkit/loop/internal';

/** The options of `new Periodic()`: the watcher options, and a reschedule function. */
export interface PeriodicOptions extends WatcherOptions {
  /**
   * Perl EV's reschedule callback: given the loop's time (epoch seconds),
   * returns the next time to fire, at or after it, and `offset`/`interval`
   * are ignored. Called at `start()` and after each event, on the JS thread
   * (libev would call it on an attached loop's thread, and abort on a time in
   * the past): a result that is not a number from `now` to `MAX_TIME` throws
   * `RangeError` from `start()`, or after an event goes to the loop's error
   * path and leaves the periodic stopped.
   */
  reschedule?: (this: Periodic, now: number) => number;
}

const PERIODIC: NativeKind = { kind: WatcherKind.Periodic };

/**
 * A wall-clock timer (`ev_periodic`). With `interval == 0` it fires once at
 * the absolute time `offset` (seconds since the epoch, like `Date.now() / 1000`);
 * with `interval > 0` it fires at every `offset + k * interval`, e.g.
 * `new Periodic(loop, 0, 3600)` on every full hour (UTC), following the system
 * clock when it jumps.
 *
 * @example
 * ```ts
 * import { Loop } from '@evkit/loop';
 * import { Periodic } from '@evkit/timer';
 *
 * // Every full minute, on Loop.default beside Node's own events.
 * new Periodic(Loop.default, 0, 60).start(() => {
 *   console.log('a new minute:', new Date().toISOString());
 * });
 * ```
 */
export class Periodic<A extends unknown[] = unknown[]> extends Watcher<A> {
  /**
   * Makes a stopped periodic; `start()` schedules it.
   *
   * @param offset - With `interval` 0, the absolute time to fire at (epoch
   *   seconds); otherwise where the grid of `interval`s starts (0: aligned to
   *   the epoch). From -`MAX_TIME` to `MAX_TIME`.
   * @param interval - Seconds between firings, from 0 (fire once) to `MAX_TIME`.
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when `loop` is not an evkit
   *   `Loop` or a time is not a number.
   * @throws `RangeError` (`ERR_OUT_OF_RANGE`) for NaN, ±Infinity, a negative
   *   `interval` or a time beyond `MAX_TIME`, or a priority outside -2..2.
   * @throws `LoopDestroyedError` when the loop was destroyed.
   *
   * @example
   * ```ts
   * const inFiveSeconds = new Periodic(loop, Date.now() / 1000 + 5);
   * const atQuarterPast = new Periodic(loop, 15 * 60, 3600); // hh:15 UTC, every hour
   * ```
   */
  constructor(loop: Loop, offset: number, interval = 0, options?: PeriodicOptions) {
    checkSeconds('offset', offset);
    checkInterval('interval', interval);
    const reschedule = checkOptions('options', options).reschedule;
    if (reschedule !== undefined) checkFunction('options.reschedule', reschedule);
    super(loop, options, offset, interval);
    this.#reschedule = reschedule as PeriodicOptions['reschedule'];
  }

  readonly #reschedule: PeriodicOptions['reschedule'];

  /**
   * Starts it, as every watcher's `start()`; with a `reschedule` function,
   * first asks it for the time to fire at.
   *
   * @throws `RangeError` when `reschedule` returns no time from now to `MAX_TIME`; otherwise as `Watcher#start`.
   */
  override start<B extends A>(callback: WatcherCallbackOf<this, B>, ...args: B): this {
    if (this.#reschedule !== undefined && !this.active) this.#schedule(this.#reschedule);
    return super.start(callback, ...args);
  }

  /** With a reschedule function: asks it again once the callback is done (unless the callback stopped or restarted it). */
  protected override fire(callback: WatcherCallback<A>, args: A, revents: number): void {
    if (this.#reschedule === undefined) {
      super.fire(callback, args, revents);
      return;
    }
    try {
      super.fire(callback, args, revents);
    } finally {
      const again = this.closed || this.active ? null : this.callback;
      if (again !== null) this.start(again, ...((this.args ?? []) as A));
    }
  }

  /** Arms it as a one-shot absolute periodic at the time `reschedule` gives. */
  #schedule(reschedule: NonNullable<PeriodicOptions['reschedule']>): void {
    const now = this.loop.now();
    const at = reschedule.call(this as Periodic, now);
    if (typeof at !== 'number' || !(at >= now && at <= MAX_TIME)) {
      throw outOfRangeError(`options.reschedule must return a time from now (${now}) to MAX_TIME (${MAX_TIME}), got ${describe(at)}`);
    }
    this.setParams(at, 0);
  }

  /** Without `interval` (absolute, or rescheduled from JS each time), a start fires once. */
  protected override get firesOnce(): boolean {
    return this.paramB === 0;
  }

  /** A transient kind: a native half only while active or pending. */
  protected override get nativeKind(): NativeKind {
    return PERIODIC;
  }

  /** `offset=`, `interval=` and, while active, `at=` for util.inspect. */
  protected override inspectSettings(): string[] {
    const settings = [`offset=${this.offset}`, `interval=${this.interval}`];
    if (this.active) settings.push(`at=${this.at}`);
    return settings;
  }

  /** The absolute time (`interval` 0) or the grid's start, in epoch seconds, as last given. */
  get offset(): number {
    this.nativeId();
    return this.paramA;
  }

  /** Seconds between firings; 0 for a periodic that fires once. */
  get interval(): number {
    this.nativeId();
    return this.paramB;
  }

  /**
   * Changes the schedule (`offset` and `interval` as in the constructor);
   * a stopped periodic uses it from its next `start()`, an active one from
   * its next `again()`.
   *
   * @returns The periodic, for chaining.
   * @throws `TypeError`/`RangeError` for values the constructor refuses.
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * const reminder = new Periodic(loop, 0, 3600).start(() => console.log('reminder'));
   * reminder.set(Date.now() / 1000 + 60).again(); // now once, a minute from now
   * ```
   */
  set(offset: number, interval = 0): this {
    this.nativeId();
    checkSeconds('offset', offset);
    checkInterval('interval', interval);
    this.setParams(offset, interval);
    return this;
  }

  /** The absolute time (epoch seconds) the periodic fires next (`ev_periodic_at`); for a stopped one, its `offset`. */
  get at(): number {
    // A stopped periodic has not been scheduled: libev reports its offset.
    const id = this.nativeId();
    return id !== 0 ? binding.periodicAt(id) : this.paramA;
  }

  /**
   * Stops and restarts the periodic with its current schedule
   * (`ev_periodic_again`), e.g. after `set()`.
   *
   * @returns The periodic, for chaining.
   * @throws `EvError` (code `ERR_EVKIT_NO_CALLBACK`) when the periodic has no callback.
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * const periodic = new Periodic(loop, 0, 3600).start(() => console.log('hourly'));
   * periodic.set(0, 60).again(); // now every minute
   * ```
   */
  again(): this {
    this.nativeId();
    if (this.callback === null) throw noCallbackError('again() needs a callback: start() the periodic first');
    binding.periodicAgain(this.ensureNative());
    this.synced();
    return this;
  }
}
