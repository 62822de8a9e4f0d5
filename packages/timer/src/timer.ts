import { WatcherKind, binding } from '@evkit/core-native/binding';
import { EvError, Watcher, type Loop, type NativeKind, type WatcherCallbackOf, type WatcherOptions } from '@evkit/loop';
import { checkInterval, checkSeconds } from './check.js';
import { noCallbackError } from '@evkit/loop/internal';

/** The options of `new Timer()`: `ref` and `priority`, as every watcher's. */
export type TimerOptions = WatcherOptions;

const TIMER: NativeKind = { kind: WatcherKind.Timer };

/**
 * A relative timer (`ev_timer`): fires `after` seconds after `start()`, then
 * every `repeat` seconds while `repeat > 0`. It never fires early. Times
 * follow libev's monotonic clock.
 *
 * `start()` outside a callback counts from the current time; inside a callback
 * it counts from the batch's cached time (`loop.now()`), as libev does.
 * `start()` on an inactive timer (also one that fired) counts `after` afresh;
 * on an active one it only replaces callback and args.
 *
 * @example
 * ```ts
 * import { Loop } from '@evkit/loop';
 * import { Timer } from '@evkit/timer';
 *
 * const loop = new Loop();
 * let ticks = 0;
 * // First after 0.5 s, then every 0.25 s, until stopped.
 * const timer = new Timer(loop, 0.5, 0.25).start(() => {
 *   if (++ticks === 4) timer.stop();
 * });
 * loop.run();
 * ```
 */
export class Timer<A extends unknown[] = unknown[]> extends Watcher<A> {
  /**
   * Makes a stopped timer; `start()` starts it.
   *
   * @param after - Seconds from `start()` to the first expiry, from
   *   -`MAX_TIME` to `MAX_TIME`; 0 or less fires on the next iteration.
   * @param repeat - Seconds between later expiries, from 0 (fire once) to `MAX_TIME`.
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when `loop` is not an evkit
   *   `Loop` or a time is not a number.
   * @throws `RangeError` (`ERR_OUT_OF_RANGE`) for NaN, ±Infinity, a negative
   *   `repeat` or a time beyond `MAX_TIME`, or a priority outside -2..2.
   * @throws `LoopDestroyedError` when the loop was destroyed.
   *
   * @example
   * ```ts
   * const once = new Timer(loop, 1.5);
   * const everySecond = new Timer(loop, 1, 1, { ref: false });
   * ```
   */
  constructor(loop: Loop, after: number, repeat = 0, options?: TimerOptions) {
    checkSeconds('after', after);
    checkInterval('repeat', repeat);
    super(loop, options, after, repeat);
  }

  /** Without `repeat`, a start fires once. */
  protected override get firesOnce(): boolean {
    return this.paramB === 0;
  }

  /** A transient kind: a native half only while active or pending. */
  protected override get nativeKind(): NativeKind {
    return TIMER;
  }

  /** Seconds from `start()` to the first expiry. Settable only while stopped; the next `start()` uses it. */
  get after(): number {
    this.nativeId();
    return this.paramA;
  }

  /**
   * Sets `after` for the next `start()`.
   *
   * @throws `EvError` `ERR_EVKIT_WATCHER_ACTIVE` while the timer is active.
   * @throws `RangeError`/`TypeError` for a value the constructor refuses.
   */
  set after(after: number) {
    this.nativeId();
    checkSeconds('after', after);
    if (this.active) {
      throw new EvError("'Timer' attribute 'after' is read-only while the watcher is active; stop() it first", 'ERR_EVKIT_WATCHER_ACTIVE');
    }
    this.setParams(after, this.paramB);
  }

  /** Seconds between repetitions (0: fire once). Settable any time; used from the next `again()` or expiry. */
  get repeat(): number {
    this.nativeId();
    return this.paramB;
  }

  /**
   * Sets `repeat`; an active timer uses it from its next expiry or `again()`.
   *
   * @throws `RangeError`/`TypeError` for a value the constructor refuses (a negative one, say).
   */
  set repeat(repeat: number) {
    this.nativeId();
    checkInterval('repeat', repeat);
    this.setParams(this.paramA, repeat);
  }

  /** `after=`, `repeat=` and, while active, `remaining=` for util.inspect. */
  protected override inspectSettings(): string[] {
    const settings = [`after=${this.after}`, `repeat=${this.repeat}`];
    if (this.active) settings.push(`remaining=${this.remaining.toFixed(3)}`);
    return settings;
  }

  /** Seconds until the timer fires (`ev_timer_remaining`); for a stopped timer, its `after`. */
  get remaining(): number {
    const id = this.nativeId();
    return id !== 0 && this.active ? binding.timerRemaining(id) : this.paramA;
  }

  /**
   * `ev_timer_again`: with `repeat > 0`, (re)starts the timer to fire `repeat`
   * seconds from now; an active timer with `repeat == 0` is stopped. Given a
   * callback, it is used as in `start()`. The cheap way to push back a
   * timeout that activity keeps resetting.
   *
   * @returns The timer, for chaining.
   * @throws `EvError` (code `ERR_EVKIT_NO_CALLBACK`) with `repeat > 0` when
   *   the timer has no callback and none is given.
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * // An idle timeout: 10 s without data closes the connection.
   * const idle = new Timer(loop, 0, 10).again(() => console.log('idle for 10 s'));
   * function onData(): void {
   *   idle.again(); // 10 s from now again
   * }
   * ```
   */
  again<B extends A>(callback?: WatcherCallbackOf<this, B>, ...args: B): this {
    this.nativeId();
    if (callback !== undefined) this.useCallback(callback, args);
    if (this.callback === null && this.paramB > 0) {
      throw noCallbackError('again() needs a callback: pass one or start() the timer first');
    }
    // On a stopped timer with no repeat, libev's again() does nothing.
    if (this.nativeId() === 0 && this.paramB === 0) return this;
    binding.timerAgain(this.ensureNative());
    this.synced();
    return this;
  }
}
