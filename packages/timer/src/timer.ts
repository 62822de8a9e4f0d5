import { binding, type NativeTimer } from '@evkit/core-native/binding';
import { EvError, Watcher, type Loop, type WatcherOptions } from '@evkit/loop';
import { checkInterval, checkSeconds } from './check.js';

export type TimerOptions = WatcherOptions;

/**
 * A relative timer (`ev_timer`): fires `after` seconds after `start()`, then
 * every `repeat` seconds while `repeat > 0`. It never fires early. Times
 * follow libev's monotonic clock.
 *
 * `start()` outside a callback counts from the current time; inside a callback
 * it counts from the batch's cached time (`loop.now()`), as libev does.
 */
export class Timer<A extends unknown[] = unknown[]> extends Watcher<A> {
  readonly #timer: NativeTimer;
  #after: number;
  #repeat: number;

  constructor(loop: Loop, after: number, repeat = 0, options?: TimerOptions) {
    checkSeconds('after', after);
    checkInterval('repeat', repeat);
    let created: NativeTimer | undefined;
    super(loop, (native, owner) => (created = new binding.Timer(native, owner, after, repeat)), options);
    this.#timer = created as NativeTimer;
    this.#after = after;
    this.#repeat = repeat;
  }

  /** Seconds from `start()` to the first expiry. Settable only while stopped. */
  get after(): number {
    return this.#after;
  }

  set after(after: number) {
    checkSeconds('after', after);
    if (this.active) {
      throw new EvError("'Timer' attribute 'after' is read-only while the watcher is active; stop() it first", 'ERR_EVKIT_WATCHER_ACTIVE');
    }
    this.loop.now(); // throws on a destroyed loop
    this.#after = after;
    this.#timer.set(after, this.#repeat);
  }

  /** Seconds between repetitions (0: fire once). Settable any time; used from the next `again()` or expiry. */
  get repeat(): number {
    return this.#repeat;
  }

  set repeat(repeat: number) {
    checkInterval('repeat', repeat);
    this.loop.now();
    this.#repeat = repeat;
    this.#timer.setRepeat(repeat);
  }

  /** Seconds until the timer fires (`ev_timer_remaining`); for a stopped timer, what is left of `after`. */
  get remaining(): number {
    this.loop.now();
    return this.#timer.remaining();
  }

  /**
   * `ev_timer_again`: with `repeat > 0`, (re)starts the timer to fire `repeat`
   * seconds from now; an active timer with `repeat == 0` is stopped. Given a
   * callback, it is used as in `start()`.
   */
  again(callback?: (...args: A) => unknown, ...args: A): this {
    if (callback !== undefined) {
      this.callback = callback;
      this.args = args;
    }
    this.loop.now();
    if (this.callback === null && this.#repeat > 0) {
      throw new TypeError('again() needs a callback: pass one or start() the timer first');
    }
    this.#timer.again();
    return this;
  }
}
