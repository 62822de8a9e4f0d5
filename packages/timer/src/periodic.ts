import { binding, type NativePeriodic } from '@evkit/core-native/binding';
import { Watcher, type Loop, type WatcherOptions } from '@evkit/loop';
import { checkInterval, checkSeconds } from './check.js';
import { stateTypeError } from '@evkit/loop/internal';

export type PeriodicOptions = WatcherOptions;

/**
 * A wall-clock timer (`ev_periodic`). With `interval == 0` it fires once at
 * the absolute time `offset` (seconds since the epoch, like `Date.now() / 1000`);
 * with `interval > 0` it fires at every `offset + k * interval`, e.g.
 * `new Periodic(loop, 0, 3600)` on every full hour (UTC), following the system
 * clock when it jumps.
 */
export class Periodic<A extends unknown[] = unknown[]> extends Watcher<A> {
  #offset: number;
  #interval: number;

  constructor(loop: Loop, offset: number, interval = 0, options?: PeriodicOptions) {
    checkSeconds('offset', offset);
    checkInterval('interval', interval);
    super(loop, (native, owner) => new binding.Periodic(native, owner, offset, interval), options);
    this.#offset = offset;
    this.#interval = interval;
  }

  get offset(): number {
    this.native();
    return this.#offset;
  }

  get interval(): number {
    this.native();
    return this.#interval;
  }

  /** Changes the schedule; while active the new one applies from the next `again()`. */
  set(offset: number, interval = 0): this {
    const periodic = this.native<NativePeriodic>();
    checkSeconds('offset', offset);
    checkInterval('interval', interval);
    this.#offset = offset;
    this.#interval = interval;
    periodic.set(offset, interval);
    return this;
  }

  /** The absolute time (epoch seconds) the periodic fires next (`ev_periodic_at`). */
  get at(): number {
    return this.native<NativePeriodic>().at();
  }

  /** Stops and restarts the periodic with its current schedule (`ev_periodic_again`). */
  again(): this {
    const periodic = this.native<NativePeriodic>();
    if (this.callback === null) throw stateTypeError('again() needs a callback: start() the periodic first');
    periodic.again();
    return this;
  }
}
