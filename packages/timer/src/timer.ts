import { WatcherKind, binding } from '@evkit/core-native/binding';
import { EvError, Watcher, type Loop, type NativeKind, type WatcherCallbackOf, type WatcherOptions } from '@evkit/loop';
import { checkInterval, checkSeconds } from './check.js';
import { stateTypeError } from '@evkit/loop/internal';

export type TimerOptions = WatcherOptions;

const TIMER: NativeKind = { kind: WatcherKind.Timer };

/**
 * A relative timer (`ev_timer`): fires `after` seconds after `start()`, then
 * every `repeat` seconds while `repeat > 0`. It never fires early. Times
 * follow libev's monotonic clock.
 *
 * `start()` outside a callback counts from the current time; inside a callback
 * it counts from the batch's cached time (`loop.now()`), as libev does.
 */
export class Timer<A extends unknown[] = unknown[]> extends Watcher<A> {
  constructor(loop: Loop, after: number, repeat = 0, options?: TimerOptions) {
    checkSeconds('after', after);
    checkInterval('repeat', repeat);
    super(loop, options, after, repeat);
  }

  protected override get nativeKind(): NativeKind {
    return TIMER;
  }

  /** Seconds from `start()` to the first expiry. Settable only while stopped. */
  get after(): number {
    this.nativeId();
    return this.paramA;
  }

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

  set repeat(repeat: number) {
    this.nativeId();
    checkInterval('repeat', repeat);
    this.setParams(this.paramA, repeat);
  }

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
   * callback, it is used as in `start()`.
   */
  again<B extends A>(callback?: WatcherCallbackOf<this, B>, ...args: B): this {
    this.nativeId();
    if (callback !== undefined) {
      this.callback = callback as unknown as WatcherCallbackOf<this, A>;
      this.args = args;
    }
    if (this.callback === null && this.paramB > 0) {
      throw stateTypeError('again() needs a callback: pass one or start() the timer first');
    }
    // On a stopped timer with no repeat, libev's again() does nothing.
    if (this.nativeId() === 0 && this.paramB === 0) return this;
    binding.timerAgain(this.ensureNative());
    this.synced();
    return this;
  }
}
