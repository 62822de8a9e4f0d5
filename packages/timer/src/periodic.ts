import { WatcherKind, binding } from '@evkit/core-native/binding';
import { Watcher, type Loop, type NativeKind, type WatcherOptions } from '@evkit/loop';
import { checkInterval, checkSeconds } from './check.js';
import { stateTypeError } from '@evkit/loop/internal';

export type PeriodicOptions = WatcherOptions;

const PERIODIC: NativeKind = { kind: WatcherKind.Periodic };

/**
 * A wall-clock timer (`ev_periodic`). With `interval == 0` it fires once at
 * the absolute time `offset` (seconds since the epoch, like `Date.now() / 1000`);
 * with `interval > 0` it fires at every `offset + k * interval`, e.g.
 * `new Periodic(loop, 0, 3600)` on every full hour (UTC), following the system
 * clock when it jumps.
 */
export class Periodic<A extends unknown[] = unknown[]> extends Watcher<A> {
  constructor(loop: Loop, offset: number, interval = 0, options?: PeriodicOptions) {
    checkSeconds('offset', offset);
    checkInterval('interval', interval);
    super(loop, options, offset, interval);
  }

  protected override get nativeKind(): NativeKind {
    return PERIODIC;
  }

  protected override inspectSettings(): string[] {
    const settings = [`offset=${this.offset}`, `interval=${this.interval}`];
    if (this.active) settings.push(`at=${this.at}`);
    return settings;
  }

  get offset(): number {
    this.nativeId();
    return this.paramA;
  }

  get interval(): number {
    this.nativeId();
    return this.paramB;
  }

  /** Changes the schedule; while active the new one applies from the next `again()`. */
  set(offset: number, interval = 0): this {
    this.nativeId();
    checkSeconds('offset', offset);
    checkInterval('interval', interval);
    this.setParams(offset, interval);
    return this;
  }

  /** The absolute time (epoch seconds) the periodic fires next (`ev_periodic_at`). */
  get at(): number {
    // A stopped periodic has not been scheduled: libev reports its offset.
    const id = this.nativeId();
    return id !== 0 ? binding.periodicAt(id) : this.paramA;
  }

  /** Stops and restarts the periodic with its current schedule (`ev_periodic_again`). */
  again(): this {
    this.nativeId();
    if (this.callback === null) throw stateTypeError('again() needs a callback: start() the periodic first');
    binding.periodicAgain(this.ensureNative());
    this.synced();
    return this;
  }
}
