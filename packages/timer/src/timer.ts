import { binding, type NativeTimer } from '@evkit/core-native/binding';
import { EvError, Watcher, type Loop, type WatcherOptions } from '@evkit/loop';
import { checkInterval, checkSeconds } from './check.js';
import { stateTypeError } from '@evkit/loop/internal';

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
  #after: number;
  #repeat: number;

  constructor(loop: Loop, after: number, repeat = 0, options?: TimerOptions) {
    checkSeconds('after', after);
    checkInterval('repeat', repeat);
    super(loop, (native, owner) => new binding.Timer(native, owner, after, repeat), options);
    this.#after = after;
    this.#repeat = repeat;
  }

  /** Seconds from `start()` to the first expiry. Settable only while stopped. */
  get after(): number {
    this.native();
    return this.#after;
  }

  set after(after: number) {
    const timer = this.native<NativeTimer>();
    checkSeconds('after', after);
    if (timer.active()) {
      throw new EvError("'Timer' attribute 'after' is read-only while the watcher is active; stop() it first", 'ERR_EVKIT_WATCHER_ACTIVE');
    }
    this.#after = after;
    timer.set(after, this.#repeat);
  }

  /** Seconds between repetitions (0: fire once). Settable any time; used from the next `again()` or expiry. */
  get repeat(): number {
    this.native();
    return this.#repeat;
  }

  set repeat(repeat: number) {
    const timer = this.native<NativeTimer>();
    checkInterval('repeat', repeat);
    this.#repeat = repeat;
    timer.setRepeat(repeat);
  }

  /** Seconds until the timer fires (`ev_timer_remaining`); for a stopped timer, what is left of `after`. */
  get remaining(): number {
    return this.native<NativeTimer>().remaining();
  }

  /**
   * `ev_timer_again`: with `repeat > 0`, (re)starts the timer to fire `repeat`
   * seconds from now; an active timer with `repeat == 0` is stopped. Given a
   * callback, it is used as in `start()`.
   */
  again(callback?: (...args: A) => unknown, ...args: A): this {
    const timer = this.native<NativeTimer>();
    if (callback !== undefined) {
      this.callback = callback;
      this.args = args;
    }
    if (this.callback === null && this.#repeat > 0) {
      throw stateTypeError('again() needs a callback: pass one or start() the timer first');
    }
    timer.again();
    return this;
  }
}
