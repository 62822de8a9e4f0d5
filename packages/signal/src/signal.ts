import { getSystemErrorName } from 'node:util';
import { WatcherKind } from '@evkit/core-native/binding';
import { EvError, Watcher, type Loop, type NativeKind, type WatcherOptions } from '@evkit/loop';
import { resolveSignal, signalName } from './names.js';

export type SignalOptions = WatcherOptions;

const SIGNAL: NativeKind = { kind: WatcherKind.Signal };

/**
 * A watcher for a POSIX signal (gevent's `loop.signal`). It never uses libev's
 * `ev_signal`: evkit chains its own handler in front of Node's, so
 * `process.on(signal)` listeners keep working, any number of loops (in any
 * thread) can watch one signal, and the signal's previous disposition is back
 * once its last watcher stops. Signals that arrive before the callback runs
 * coalesce into one callback, as in libev.
 */
export class Signal<A extends unknown[] = unknown[]> extends Watcher<A> {
  constructor(loop: Loop, signum: number | string, options?: SignalOptions) {
    super(loop, options, resolveSignal(signum));
  }

  protected override get nativeKind(): NativeKind {
    return SIGNAL;
  }

  /** The signal number, e.g. 10 for SIGUSR1 on Linux. */
  protected override inspectSettings(): string[] {
    return [`signal=${this.signal}`];
  }

  get signum(): number {
    this.nativeId();
    return this.paramA;
  }

  /** The signal's name, e.g. `"SIGUSR1"`. */
  get signal(): string {
    this.nativeId();
    return signalName(this.paramA);
  }

  /** `status`: the negative libuv error (`-EMFILE`) that kept the signal from being watched. */
  protected override startError(status: number): Error {
    const code = getSystemErrorName(status);
    return new EvError(`cannot watch ${this.signal}: ${code}`, code, { errno: -status, syscall: 'uv_signal_start' });
  }
}
