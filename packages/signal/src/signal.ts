import { getSystemErrorName } from 'node:util';
import { WatcherKind } from '@evkit/core-native/binding';
import { EvError, Watcher, type Loop, type NativeKind, type WatcherOptions } from '@evkit/loop';
import { resolveSignal, signalName } from './names.js';

/** The options of `new Signal()`: `ref` and `priority`, as every watcher's. */
export type SignalOptions = WatcherOptions;

const SIGNAL: NativeKind = { kind: WatcherKind.Signal };

/**
 * A watcher for a POSIX signal (gevent's `loop.signal`). It never uses libev's
 * `ev_signal`: evkit chains its own handler in front of Node's, so
 * `process.on(signal)` listeners keep working, any number of loops (in any
 * thread) can watch one signal, and the signal's previous disposition is back
 * once its last watcher stops. Signals that arrive before the callback runs
 * coalesce into one callback, as in libev. `start()` throws `EvError` with a
 * libuv code (`EMFILE`, ...) when the signal cannot be watched.
 *
 * @example
 * ```ts
 * import { Loop } from '@evkit/loop';
 * import { Signal } from '@evkit/signal';
 *
 * const loop = new Loop();
 * new Signal(loop, 'SIGUSR2').start(function () {
 *   console.log('got', this.signal); // "got SIGUSR2"
 *   this.stop();
 * });
 * process.kill(process.pid, 'SIGUSR2'); // noted now, delivered by run()
 * loop.run();
 * ```
 */
export class Signal<A extends unknown[] = unknown[]> extends Watcher<A> {
  /**
   * Makes a stopped watcher for one signal; `start()` starts it.
   *
   * @param signum - A signal number, or a name as in `os.constants.signals`
   *   (`"SIGUSR1"`) or a real-time one (`"SIGRTMIN+2"`).
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when `loop` is not an evkit
   *   `Loop` or `signum` is neither a number nor a string.
   * @throws `RangeError`: (`ERR_INVALID_ARG_VALUE`) an unknown name, or a
   *   signal evkit must not take (SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGFPE,
   *   SIGILL, glibc's 32 and 33); (`ERR_OUT_OF_RANGE`) a number out of
   *   range, or a priority outside -2..2.
   * @throws `LoopDestroyedError` when the loop was destroyed.
   *
   * @example
   * ```ts
   * import { constants } from 'node:os';
   *
   * const hup = new Signal(loop, 'SIGHUP');
   * const usr1 = new Signal(loop, constants.signals.SIGUSR1, { ref: false });
   * ```
   */
  constructor(loop: Loop, signum: number | string, options?: SignalOptions) {
    super(loop, options, resolveSignal(signum));
  }

  /** A Signal is a transient kind: a native half only while active or pending. */
  protected override get nativeKind(): NativeKind {
    return SIGNAL;
  }

  /** `signal=` and the name, for util.inspect. */
  protected override inspectSettings(): string[] {
    return [`signal=${this.signal}`];
  }

  /** The signal number, e.g. 10 for SIGUSR1 on Linux. Settable while stopped, as `set()`. */
  get signum(): number {
    this.nativeId();
    return this.paramA;
  }

  /** Watches signal number `signum` from the next `start()`: see `set()`. */
  set signum(signum: number) {
    this.set(signum);
  }

  /** The signal's name, e.g. `"SIGUSR1"`. Settable while stopped, as `set()`. */
  get signal(): string {
    this.nativeId();
    return signalName(this.paramA);
  }

  /** Watches the signal named `signal` from the next `start()`: see `set()`. */
  set signal(signal: string) {
    this.set(signal);
  }

  /**
   * Watches another signal from the next `start()` (Perl EV's `$w->set`).
   * Validated as the constructor's `signum`.
   *
   * @returns The watcher, for chaining.
   * @throws `RangeError` / `TypeError` for a signal the constructor would refuse.
   * @throws `EvError` `ERR_EVKIT_WATCHER_ACTIVE` while the watcher is active or pending.
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * const sig = new Signal(loop, 'SIGUSR1');
   * sig.set('SIGUSR2').start(() => console.log('SIGUSR2'));
   * ```
   */
  set(signum: number | string): this {
    this.assertStopped('the signal');
    this.setParams(resolveSignal(signum), 0);
    return this;
  }

  /** `status`: the negative libuv error (`-EMFILE`) that kept the signal from being watched. */
  protected override startError(status: number): Error {
    const code = getSystemErrorName(status);
    return new EvError(`cannot watch ${this.signal}: ${code}`, code, { errno: -status, syscall: 'uv_signal_start' });
  }
}
