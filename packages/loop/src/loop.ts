import { inspect } from 'node:util';
import { supportedBackends as supportedBackendNames } from '@evkit/core-native';
import type { Callback, CallbackFunction } from './callback.js';
import { BACKEND_ALL, BACKEND_MASK, FLAG_FORKCHECK, FLAG_NOENV, FLAG_NOINOTIFY, FLAG_NOSIGMASK, FLAG_NOTIMERFD, FLAG_SIGNALFD } from './constants.js';
import { EvError, LoopDestroyedError, argTypeError, argValueError, outOfRangeError, suspendedError, systemError } from './errors.js';
import { backendName, flagsToInt, flagsToList } from './flags.js';
import { LoopNewFailure, LoopState, type ErrorHandler } from './loop-state.js';
import { BREAK_ALL, BREAK_CANCEL, BREAK_ONE, RUN_NOWAIT, RUN_ONCE, binding, type NativeLoop } from './native.js';
import { checkBoolean, checkFinite, checkFunction, checkOptions, describe } from './validate.js';
import { OWN_PACKAGE_DIR, kLoopCopy, registerCopy } from './package-copies.js';
import { monitorDelay, type LoopDelayHistogram, type MonitorDelayOptions } from './delay-monitor.js';

/** The options of `new Loop()`. */
export interface LoopOptions {
  /** Backends and flags: a number, `"epoll"`, `"select, noinotify"`, `["poll"]`. */
  flags?: number | string | readonly string[] | null;
  /** The `ptr` of a live evkit loop: gives a second view of it that does not own it. */
  ptr?: bigint;
  /** With `ptr`: accept an `ev_loop*` evkit does not know (native interop). */
  unsafeForeignPointer?: boolean;
}

/** The options of `loop.run()`: with neither, it runs until nothing keeps the loop alive. */
export interface RunOptions {
  /** Poll once without blocking (`EVRUN_NOWAIT`). */
  nowait?: boolean;
  /** Block for one round of events at most (`EVRUN_ONCE`). */
  once?: boolean;
}

/**
 * What `loop.break()` stops (libev's `EVBREAK_*`): `"one"` the innermost
 * `run()`, `"all"` every nested `run()` of the loop, `"cancel"` takes back an
 * earlier break that has not taken effect yet.
 */
export type BreakHow = 'one' | 'all' | 'cancel';

/** What `loop.stats()` returns. */
export interface LoopStats {
  /** Loop iterations so far (`ev_iteration`). */
  iterations: number;
  /** Seconds spent waiting in the backend poll (an attached loop's thread included). */
  pollTime: number;
  /** Seconds spent running JS callbacks of this loop. */
  callbackTime: number;
  /** Pending watchers right now (`ev_pending_count`). */
  pendingCount: number;
  /** Active watchers right now, as `loop.activeCount`. */
  activeCount: number;
  /** What keeps the loop alive right now, as `loop.refCount`. */
  refCount: number;
}

const KNOWN_FLAGS =
  FLAG_NOINOTIFY | FLAG_SIGNALFD | FLAG_NOSIGMASK | FLAG_NOTIMERFD | FLAG_NOENV | FLAG_FORKCHECK;
const BREAKS: Record<BreakHow, number> = { one: BREAK_ONE, all: BREAK_ALL, cancel: BREAK_CANCEL };

function validateLoopFlags(flags: number): void {
  const backends = flags & BACKEND_MASK;
  const unknownBackend = backends & ~BACKEND_ALL;
  if (unknownBackend !== 0) {
    throw argValueError(`Invalid value for backend: 0x${unknownBackend.toString(16)} is not a libev backend bit`);
  }
  const unknownFlags = (flags & ~BACKEND_MASK & ~KNOWN_FLAGS) >>> 0;
  if (unknownFlags !== 0) {
    throw argValueError(`Invalid loop flag bits: 0x${unknownFlags.toString(16)}`);
  }
  if (backends !== 0 && (backends & binding.backends().supported) === 0) {
    const names = flagsToList(backends).map((n) => (typeof n === 'number' ? `0x${n.toString(16)}` : n));
    throw new EvError(
      `Unsupported backend: ${names.join('|')} (supported here: ${supportedBackendNames().join(', ')})`,
      'ERR_EVKIT_UNSUPPORTED_BACKEND',
    );
  }
}

let stateOfLoop: (loop: Loop) => LoopState;

/** This thread's Loop.default (module state is per thread: each worker has its own). */
let defaultLoop: Loop | undefined;

/** The LoopState behind a loop, for watchers (package-internal). */
export function loopState(loop: Loop): LoopState {
  return stateOfLoop(loop);
}

/**
 * A libev event loop (gevent's `loop`). Always a fresh `ev_loop_new` with
 * `EVFLAG_NOENV`: never libev's default loop, which would take SIGCHLD from Node.
 *
 * Run it in one of two ways: blocking, with `run()` (Node's own events wait
 * until it returns), or attached, with `attach()`/`runAsync()` (Node's event
 * loop drives it, beside Node's timers and I/O). `Loop.default` is an
 * attached loop ready to use.
 *
 * @example
 * ```ts
 * import { Loop } from '@evkit/loop';
 * import { Timer } from '@evkit/timer';
 *
 * const loop = new Loop();
 * let ticks = 0;
 * const timer = new Timer(loop, 0.1, 0.1).start(() => {
 *   console.log('tick', loop.now());
 *   if (++ticks === 3) timer.stop();
 * });
 * loop.run(); // returns once the timer is stopped
 * loop.destroy();
 * ```
 */
export class Loop {
  static {
    stateOfLoop = (loop) => loop.#state;
    Object.defineProperty(Loop.prototype, kLoopCopy, { value: OWN_PACKAGE_DIR });
    registerCopy();
  }

  readonly #state: LoopState;
  readonly #owning: boolean;
  #detached = false;

  /**
   * This thread's default loop: created on first use and attached (Node's
   * event loop drives it). After `Loop.default.destroy()` the next access
   * creates a fresh one. The main thread and every worker have their own.
   * `sleep()`, `readable()` and `writable()` use it unless given a loop.
   *
   * @example
   * ```ts
   * import { Loop } from '@evkit/loop';
   * import { Timer } from '@evkit/timer';
   *
   * // No run(): Node keeps the process alive until the timer has fired.
   * new Timer(Loop.default, 1).start(() => console.log('one second later'));
   * ```
   */
  static get default(): Loop {
    if (defaultLoop === undefined || defaultLoop.destroyed) {
      const loop = new Loop();
      loop.#state.isDefault = true;
      loop.attach();
      defaultLoop = loop;
    }
    return defaultLoop;
  }

  /**
   * Creates a loop with `ev_loop_new`, or, with `options.ptr`, a second view
   * of a live evkit loop of this thread (it shares the loop's watchers and
   * state but does not own it: its `destroy()` leaves the loop alone).
   *
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) for options of the wrong
   *   type, or an unknown flag name.
   * @throws `RangeError` (`ERR_OUT_OF_RANGE`) for negative or fractional
   *   flags; (`ERR_INVALID_ARG_VALUE`) for bits that are no backend or flag
   *   (`0x100`), a `ptr` that is not a live evkit loop of this thread, or
   *   `unsafeForeignPointer` without `ptr`.
   * @throws `EvError` `ERR_EVKIT_UNSUPPORTED_BACKEND` when none of the backends
   *   named is supported here; `ERR_EVKIT_LOOP_NEW` when libev cannot create
   *   the loop (with `errno` when a system call said why, e.g. EMFILE).
   *
   * @example
   * ```ts
   * import { Loop } from '@evkit/loop';
   *
   * const loop = new Loop(); // libev picks the best backend
   * const polling = new Loop({ flags: 'poll, noinotify' });
   * const view = new Loop({ ptr: loop.ptr }); // the same loop, not owned
   * console.log(polling.backend, view.backend === loop.backend); // "poll" true
   * ```
   */
  constructor(options: LoopOptions = {}) {
    const opts = checkOptions('options', options);
    if (opts.ptr !== undefined) {
      // A view shares its evkit loop's state; a foreign wrap has its own, which
      // destroy() retires, leaving the ev_loop itself to its owner.
      const { state, view } = Loop.#fromPtr(opts.ptr, opts.unsafeForeignPointer);
      this.#state = state;
      this.#owning = !view;
      return;
    }
    if (opts.unsafeForeignPointer !== undefined) {
      throw argValueError('options.unsafeForeignPointer is only meaningful with options.ptr');
    }
    const flags = flagsToInt(opts.flags);
    validateLoopFlags(flags);
    this.#owning = true;
    try {
      this.#state = new LoopState((flags | FLAG_NOENV) >>> 0);
    } catch (error) {
      if (!(error instanceof LoopNewFailure)) throw error;
      const what = `ev_loop_new(${flagsToList(flags).join('|') || 0}) failed`;
      if (error.errno > 0) throw systemError(what, error.errno, 'ev_loop_new', 'ERR_EVKIT_LOOP_NEW');
      throw new EvError(`${what}: the backend is not usable here`, 'ERR_EVKIT_LOOP_NEW');
    }
  }

  static #fromPtr(ptr: unknown, unsafe: unknown): { state: LoopState; view: boolean } {
    if (typeof ptr !== 'bigint') throw argTypeError(`options.ptr must be a bigint, got ${describe(ptr)}`);
    if (unsafe !== undefined) checkBoolean('options.unsafeForeignPointer', unsafe);
    if (ptr <= 0n || ptr >= 2n ** 64n) throw argValueError(`options.ptr is not an address: ${ptr}n`);
    const found = binding.Loop.lookup(ptr);
    if (found instanceof LoopState) return { state: found, view: true };
    if (found === 'other-thread') {
      throw argValueError(`options.ptr 0x${ptr.toString(16)} is a loop of another thread; a loop is used from its own thread only`);
    }
    if (unsafe !== true) {
      throw argValueError(
        `options.ptr 0x${ptr.toString(16)} is not a live evkit loop (pass unsafeForeignPointer: true to wrap a foreign ev_loop*)`,
      );
    }
    return { state: new LoopState(0, ptr), view: false };
  }

  #native(): NativeLoop {
    if (this.#detached || this.#state.destroyed) throw new LoopDestroyedError();
    if (this.#state.suspended) throw suspendedError();
    return this.#state.native;
  }

  /**
   * The name of the backend libev chose, e.g. `"epoll"`.
   *
   * @throws `LoopDestroyedError` after `destroy()`.
   */
  get backend(): string {
    return backendName(this.#native().backend());
  }

  /** The backend libev chose as its bit, e.g. `4` (`BACKEND_EPOLL`). */
  get backendInt(): number {
    return this.#native().backend();
  }

  /** The `ev_loop*` address (`0n` once destroyed), for native interop and `new Loop({ ptr })`. Never throws. */
  get ptr(): bigint {
    return this.destroyed ? 0n : this.#state.native.ptr();
  }

  /** Whether this is `Loop.default` or a view of it (false once destroyed). Never throws. */
  get isDefault(): boolean {
    return this.#state.isDefault && !this.destroyed;
  }

  /** Whether `destroy()` was called on this loop, or on the loop this object is a view of. Never throws. */
  get destroyed(): boolean {
    return this.#detached || this.#state.destroyed;
  }

  /** Whether Node's event loop drives this loop (attached mode; also while suspended, until `resume()`). */
  get attached(): boolean {
    if (this.#detached || this.#state.destroyed) throw new LoopDestroyedError();
    return this.#state.attached;
  }

  /**
   * Makes Node's event loop drive this loop: its callbacks run on this thread
   * as Node events (promise reactions and `process.nextTick` settle after each
   * one), and while it has active referenced watchers or queued callbacks it
   * keeps the process alive like a referenced Node handle. An attached loop
   * lives until `detach()` or `destroy()`, referenced or not. Does nothing
   * on a loop already attached.
   *
   * @returns The loop, for chaining.
   * @throws `EvError` `ERR_EVKIT_IN_CALLBACK` from a callback of this loop's
   *   blocking `run()`; `ERR_EVKIT_ATTACH` on a view (`new Loop({ ptr })`) or
   *   a loop wrapped from a foreign pointer, or when the loop thread cannot
   *   start.
   * @throws `LoopDestroyedError` after `destroy()`.
   *
   * @example
   * ```ts
   * import { Loop } from '@evkit/loop';
   * import { Timer } from '@evkit/timer';
   *
   * const loop = new Loop().attach();
   * new Timer(loop, 0.5).start(() => console.log('fired between Node events'));
   * setTimeout(() => console.log("Node's own timers keep running"), 100);
   * ```
   */
  attach(): this {
    const native = this.#native();
    if (!this.#state.attached && native.depth() > 0) {
      throw new EvError('attach() from inside a callback of a blocking run() of the same loop; call it after run() returns', 'ERR_EVKIT_IN_CALLBACK');
    }
    if (!this.#owning) {
      throw new EvError('a view of a loop (new Loop({ ptr })) cannot be attached; attach the loop itself', 'ERR_EVKIT_ATTACH');
    }
    if (this.#state.attached) return this;
    if (!native.owns()) {
      throw new EvError('a loop wrapped from a foreign pointer cannot be attached: its owner runs it', 'ERR_EVKIT_ATTACH');
    }
    this.#state.attach();
    return this;
  }

  /**
   * Stops Node from driving this loop (joins its thread); `run()` works again.
   * Also from a callback of the attached loop (or a promise continuation
   * settled between its callbacks): the rest of that batch then waits for the
   * next `run()` or `attach()`. On a loop that is not attached it does nothing.
   *
   * @returns The loop, for chaining.
   * @throws `LoopDestroyedError` after `destroy()`.
   *
   * @example
   * ```ts
   * const loop = new Loop().attach();
   * // ... watchers run beside Node's events ...
   * loop.detach();
   * loop.run(); // blocking from here on
   * ```
   */
  detach(): this {
    this.#native();
    this.#state.detach();
    return this;
  }

  /**
   * Attaches the loop and resolves when nothing keeps it alive any more
   * (`refCount` is 0; at once when it already is) or `break()` is called. The
   * loop stays attached: watchers started later still fire.
   *
   * @throws The errors of `attach()`, synchronously.
   *
   * @example
   * ```ts
   * import { Loop } from '@evkit/loop';
   * import { Timer } from '@evkit/timer';
   *
   * const loop = new Loop();
   * new Timer(loop, 0.1).start(() => console.log('fired'));
   * await loop.runAsync(); // Node's timers and promises go on meanwhile
   * loop.destroy();
   * ```
   */
  runAsync(): Promise<void> {
    this.attach();
    return this.#state.whenSettled();
  }

  /**
   * libev's cached time in seconds (`ev_now`, wall-clock based like
   * `Date.now() / 1000`): updated as the loop wakes, frozen during a batch
   * of callbacks, so every callback of one batch sees the same time.
   *
   * @throws `LoopDestroyedError` after `destroy()`.
   *
   * @example
   * ```ts
   * const started = loop.now();
   * new Timer(loop, 0.25).start(() => console.log(loop.now() - started)); // about 0.25
   * loop.run();
   * ```
   */
  now(): number {
    return this.#native().now();
  }

  /**
   * Suspends the loop (`ev_suspend`): relative timers will not count the time
   * until `resume()`, and periodics skip what they would have fired
   * meanwhile. libev allows no other call on a suspended loop, so until
   * `resume()` every other operation on it and its watchers throws `EvError`
   * `ERR_EVKIT_SUSPENDED` (`destroy()` resumes and destroys; a watcher's
   * `close()` still closes it, as the GC may: stopping a watcher is safe for
   * a suspended libev loop). An attached
   * loop's thread is stopped meanwhile: the loop does not keep the process
   * alive until `resume()` attaches it again; an attached loop may be
   * suspended from anywhere, its own callbacks included. The classic use:
   * from a `process.on('SIGTSTP')` listener, suspend, stop with `SIGSTOP`,
   * resume.
   *
   * @throws `EvError` `ERR_EVKIT_IN_CALLBACK` from a callback of this loop's blocking `run()` (libev goes on
   *   running it after the callback); `ERR_EVKIT_SUSPENDED` when suspended already; `LoopDestroyedError`.
   *
   * @example
   * ```ts
   * process.on('SIGTSTP', () => {
   *   loop.suspend();
   *   process.kill(process.pid, 'SIGSTOP'); // stopped here until SIGCONT
   *   loop.resume(); // timers go on as if no time had passed
   * });
   * ```
   */
  suspend(): void {
    if (!this.#native().suspend()) {
      throw new EvError("suspend() from a callback of this loop's blocking run(): libev goes on running it; suspend after run() returns", 'ERR_EVKIT_IN_CALLBACK');
    }
    this.#state.suspended = true;
  }

  /**
   * Resumes a loop `suspend()` suspended (`ev_resume`), attaching it again
   * if it was attached.
   *
   * @throws `EvError` `ERR_EVKIT_NOT_SUSPENDED` when it is not suspended; `ERR_EVKIT_ATTACH` when it cannot
   *   be attached again (it stays detached); `LoopDestroyedError`.
   *
   * @example
   * ```ts
   * loop.suspend();
   * loop.resume();
   * ```
   */
  resume(): void {
    if (this.#detached || this.#state.destroyed) throw new LoopDestroyedError();
    if (!this.#state.suspended) throw new EvError('resume() without suspend()', 'ERR_EVKIT_NOT_SUSPENDED');
    this.#state.suspended = false;
    const failure = this.#state.native.resume();
    if (failure !== null) {
      this.#state.attached = false;
      throw new EvError(failure, 'ERR_EVKIT_ATTACH');
    }
  }

  /** Whether `suspend()` was called and `resume()` not yet. */
  get suspended(): boolean {
    return this.#state.suspended && !this.destroyed;
  }

  /**
   * What the loop has been doing since it was made: `iterations`
   * (`ev_iteration`), `pollTime` and `callbackTime` (seconds spent waiting in
   * the backend poll, on an attached loop's thread, and running JS callbacks),
   * and the current `pendingCount`, `activeCount` and `refCount`.
   *
   * @throws `LoopDestroyedError` after `destroy()`.
   *
   * @example
   * ```ts
   * const { iterations, pollTime, callbackTime } = loop.stats();
   * console.log(`${iterations} iterations, ${(100 * callbackTime / (pollTime + callbackTime)).toFixed(1)}% busy`);
   * ```
   */
  stats(): LoopStats {
    const native = this.#native();
    const [pollTime, callbackTime] = native.times();
    return {
      iterations: native.iteration(),
      pollTime,
      callbackTime,
      pendingCount: native.pendingCount(),
      activeCount: native.activeCount(),
      refCount: native.refCount(),
    };
  }

  /**
   * Samples how late this loop runs a timer, every `resolution` ms while
   * enabled, into a histogram in nanoseconds: `perf_hooks`'
   * `monitorEventLoopDelay` for a libev loop. Its timer is unref'd (it never
   * keeps the loop alive) and samples only while the loop runs.
   *
   * @returns A `RecordableHistogram` with `enable()` and `disable()`, disabled.
   * @throws `TypeError`/`RangeError` for bad options; `LoopDestroyedError` after `destroy()`.
   *
   * @example
   * ```ts
   * const delay = loop.monitorDelay({ resolution: 10 });
   * delay.enable();
   * // ... later
   * console.log('p99 delay', delay.percentile(99) / 1e6, 'ms');
   * ```
   */
  monitorDelay(options?: MonitorDelayOptions): LoopDelayHistogram {
    this.#native();
    return monitorDelay(this, options);
  }

  /**
   * Lets libev wait up to `seconds` before it polls again
   * (`ev_set_io_collect_interval`), so that fds becoming ready independently
   * are handled in fewer, larger batches: more throughput, more latency. 0
   * (the default) polls as soon as it can. Worth it with many busy fds (many
   * senders); in a single request/response chain it only adds delay.
   *
   * @param seconds - From 0 to 1.
   * @throws `TypeError`/`RangeError` for another value; `LoopDestroyedError` after `destroy()`.
   *
   * @example
   * ```ts
   * loop.setIoCollectInterval(0.001); // gather 1 ms of readiness per iteration
   * ```
   */
  setIoCollectInterval(seconds: number): void {
    checkCollectInterval(seconds);
    this.#native().setCollectIntervals(seconds, -1);
  }

  /**
   * Lets libev sleep at least `seconds` when it sleeps for a timer
   * (`ev_set_timeout_collect_interval`), so that timers due close together
   * are handled in one iteration; it never delays an fd's readiness. 0 (the
   * default) wakes for each timer as it is due.
   *
   * @param seconds - From 0 to 1.
   * @throws `TypeError`/`RangeError` for another value; `LoopDestroyedError` after `destroy()`.
   *
   * @example
   * ```ts
   * loop.setTimeoutCollectInterval(0.01); // many timers, 10 ms granularity is fine
   * ```
   */
  setTimeoutCollectInterval(seconds: number): void {
    checkCollectInterval(seconds);
    this.#native().setCollectIntervals(-1, seconds);
  }

  /**
   * Refreshes the cached time of `now()` from the clock (`ev_now_update`),
   * e.g. after a callback spent long on synchronous work.
   *
   * @throws `LoopDestroyedError` after `destroy()`.
   *
   * @example
   * ```ts
   * const before = loop.now();
   * doLongSynchronousWork();
   * loop.updateNow();
   * console.log('took', loop.now() - before, 's');
   * ```
   */
  updateNow(): void {
    this.#native().updateNow();
  }

  /** How many times the loop has polled for events so far (`ev_iteration`). */
  get iteration(): number {
    return this.#native().iteration();
  }

  /** Nesting depth of `run()` (`ev_depth`): 1 inside a callback of a plain `run()`. */
  get depth(): number {
    return this.#native().depth();
  }

  /** Watchers with an event waiting for their callback (`ev_pending_count`). */
  get pendingCount(): number {
    return this.#native().pendingCount();
  }

  /** Active watchers of this loop, referenced or not (evkit's own internal watchers not counted). */
  get activeCount(): number {
    return this.#native().activeCount();
  }

  /** What keeps the loop alive: active referenced watchers, queued callbacks and `ref()` calls. */
  get refCount(): number {
    return this.#native().refCount() + this.#state.queuedCallbacks;
  }

  /**
   * Where errors thrown by callbacks go: `(error, context)`, with the
   * `Watcher` or `Callback` that threw (`null` for a libev system error).
   * With `null` (the default), a blocking `run()` rethrows them and an
   * attached loop reports them as `'uncaughtException'`. A handler that
   * throws counts as none.
   *
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when set to neither a function nor `null`.
   * @throws `LoopDestroyedError` after `destroy()`.
   *
   * @example
   * ```ts
   * loop.errorHandler = (error, context) => {
   *   console.error('a callback of', context, 'threw', error);
   * };
   * ```
   */
  get errorHandler(): ErrorHandler | null {
    this.#native();
    return this.#state.errorHandler;
  }

  /** Sets the handler; `null` restores the default (rethrow from `run()`, or `'uncaughtException'` when attached). */
  set errorHandler(handler: ErrorHandler | null) {
    this.#native();
    if (handler !== null) checkFunction('errorHandler', handler);
    this.#state.errorHandler = handler;
  }

  /**
   * Runs the loop on this thread (`ev_run`) until nothing keeps it alive, or
   * `break()`. Returns whether active watchers remain. A callback error with no
   * `errorHandler` breaks the loop after the current batch and is rethrown
   * here (an `AggregateError` when several callbacks of the batch threw).
   * Blocking: Node's own timers, I/O and promises wait until it returns.
   *
   * @param options - `{ nowait: true }` polls once without blocking;
   *   `{ once: true }` waits for one round of events at most.
   * @returns Whether active watchers (or queued callbacks) remain.
   * @throws `EvError` `ERR_EVKIT_LOOP_ATTACHED` on an attached loop.
   * @throws Whatever a callback threw, when no `errorHandler` took it.
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) for options of the wrong type.
   * @throws `LoopDestroyedError` after `destroy()`.
   *
   * @example
   * ```ts
   * import { Loop } from '@evkit/loop';
   * import { Timer } from '@evkit/timer';
   *
   * const loop = new Loop();
   * new Timer(loop, 0.1).start(() => console.log('fired'));
   * loop.run({ nowait: true }); // too early: returns true at once
   * console.log(loop.run()); // blocks about 0.1 s, prints "fired", then false
   * ```
   */
  run(options: RunOptions = {}): boolean {
    const opts = checkOptions('options', options);
    let flags = 0;
    if (opts.nowait !== undefined) {
      checkBoolean('options.nowait', opts.nowait);
      if (opts.nowait) flags |= RUN_NOWAIT;
    }
    if (opts.once !== undefined) {
      checkBoolean('options.once', opts.once);
      if (opts.once) flags |= RUN_ONCE;
    }
    const state = this.#state;
    const native = this.#native();
    if (state.attached) {
      throw new EvError("run() on an attached loop: Node's event loop drives it (use runAsync(), or detach() first)", 'ERR_EVKIT_LOOP_ATTACHED');
    }
    const result = native.run(flags);
    let more: boolean;
    if (typeof result === 'boolean') {
      more = result;
    } else {
      more = result[0];
      state.reportSyserr(result[1], result[2]);
    }
    const errors = state.takeErrors();
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} callbacks threw during one loop iteration`);
    return more;
  }

  /**
   * Makes `run()` return after the current batch of callbacks (`ev_break`);
   * on an attached loop it resolves the pending `runAsync()` promises instead
   * (the loop stays attached), except `"cancel"`, which does nothing there.
   *
   * @param how - `"one"` (the default), `"all"` or `"cancel"`: see {@link BreakHow}.
   * @throws `RangeError` (`ERR_INVALID_ARG_VALUE`) for another `how`.
   * @throws `LoopDestroyedError` after `destroy()`.
   *
   * @example
   * ```ts
   * let ticks = 0;
   * new Timer(loop, 0, 0.01).start(() => {
   *   if (++ticks === 5) loop.break();
   * });
   * loop.run(); // returns after the fifth tick, the timer still active
   * ```
   */
  break(how: BreakHow = 'one'): void {
    const value = BREAKS[how];
    if (value === undefined || !Object.hasOwn(BREAKS, how)) {
      throw argValueError(`how must be "one", "all" or "cancel", got ${describe(how)}`);
    }
    const native = this.#native();
    if (!this.#state.attached) native.break(value);
    else if (value !== BREAK_CANCEL) this.#state.settle(); // nothing to cancel: runAsync() only waits for a break
  }

  /**
   * Counts one more reference keeping the loop alive (`ev_ref`), as an
   * active watcher would: `run()` and `runAsync()` wait, and an attached
   * loop keeps the process alive, until the matching `unref()`.
   *
   * @throws `LoopDestroyedError` after `destroy()`.
   *
   * @example
   * ```ts
   * Loop.default.ref(); // the process stays up while nothing is watched
   * setTimeout(() => Loop.default.unref(), 1000);
   * ```
   */
  ref(): void {
    this.#native().ref();
  }

  /**
   * Takes back one `ref()` call. Throws `EvError` (`ERR_EVKIT_UNREF`) when no
   * `ref()` is outstanding: a loop never counts fewer references than it has
   * (use a watcher's own `unref()` to let the loop end while it is active).
   *
   * @throws `EvError` `ERR_EVKIT_UNREF` without an outstanding `ref()`.
   * @throws `LoopDestroyedError` after `destroy()`.
   *
   * @example
   * ```ts
   * loop.ref();
   * loop.unref(); // fine
   * loop.unref(); // throws: use watcher.unref() for watchers
   * ```
   */
  unref(): void {
    if (!this.#native().unref()) {
      throw new EvError('unref() without an outstanding ref() on this loop (use watcher.unref() for a watcher)', 'ERR_EVKIT_UNREF');
    }
  }

  /**
   * libev's internal consistency check (`ev_verify`): libev asserts that its
   * data structures are sound, and aborts the process if they are not (a
   * libev built with `EV_VERIFY` 0 or without assertions checks nothing).
   * Safe to call in any state, also from a callback.
   *
   * @throws `LoopDestroyedError` after `destroy()`.
   *
   * @example
   * ```ts
   * loop.verify();
   * ```
   */
  verify(): void {
    this.#native().verify();
  }

  /**
   * `ev_loop_fork`: what a forked child calls so libev re-creates its kernel
   * state; `Fork` watchers run on the loop's next iteration.
   *
   * @throws `EvError` with an errno code (`EMFILE`, ...) when libev cannot
   *   re-create its wake-up fd.
   * @throws `LoopDestroyedError` after `destroy()`.
   *
   * @example
   * ```ts
   * import { Fork } from '@evkit/fork';
   *
   * new Fork(loop).start(() => console.log('reinit() seen'));
   * loop.reinit();
   * loop.run({ nowait: true }); // prints "reinit() seen"
   * ```
   */
  reinit(): void {
    const errno = this.#native().reinit();
    if (errno !== 0) throw systemError('reinit(): libev cannot re-create its wake-up fd', errno, 'eventfd');
  }

  /**
   * Stops and closes every watcher and frees the loop. Idempotent. On a view
   * (`new Loop({ ptr })`) it only retires the view and leaves the loop alone.
   * Afterwards every member but `destroy()`, `destroyed`, `isDefault` and
   * `ptr` throws `LoopDestroyedError`. May be called from a callback: the
   * current batch finishes and `run()` returns.
   *
   * @example
   * ```ts
   * const loop = new Loop();
   * const timer = new Timer(loop, 1).start(() => {});
   * loop.destroy();
   * console.log(loop.destroyed, timer.closed); // true true
   * ```
   */
  destroy(): void {
    if (this.#detached || this.#state.destroying) return;
    try {
      // Cleanup callbacks run first, with the loop still usable.
      if (this.#owning) this.#state.destroy();
    } finally {
      this.#detached = true;
    }
  }

  /**
   * For `using loop = new Loop()`: `destroy()` when the scope ends.
   *
   * @example
   * ```ts
   * {
   *   using loop = new Loop();
   *   loop.runCallback(() => console.log('ran'));
   *   loop.run();
   * } // destroyed here
   * ```
   */
  [Symbol.dispose](): void {
    this.destroy();
  }

  /**
   * Queues `fn(...args)` to run before the loop next blocks (gevent's
   * `run_callback`): FIFO, once; callbacks queued while the queue drains run in
   * the same pass; a queued callback keeps the loop alive.
   *
   * @returns The queued {@link Callback}: `stop()` it to unqueue it.
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when `fn` is not a function.
   * @throws `LoopDestroyedError` after `destroy()`.
   *
   * @example
   * ```ts
   * loop.runCallback((a: number, b: number) => console.log(a + b), 1, 2);
   * loop.runCallback(() => {
   *   loop.runCallback(() => console.log('queued meanwhile: same pass'));
   * });
   * loop.run(); // prints 3, then "queued meanwhile: same pass"
   * ```
   */
  runCallback<A extends unknown[]>(fn: CallbackFunction<A>, ...args: A): Callback<A> {
    this.#native();
    checkFunction('fn', fn);
    return this.#state.enqueue(fn, args);
  }

  /** What `util.inspect` shows, e.g. `<Loop epoll default attached pending=0 ref=1>`. */
  [inspect.custom](): string {
    if (this.destroyed) return '<Loop destroyed>';
    const native = this.#state.native;
    const parts = [backendName(native.backend())];
    if (this.isDefault) parts.push('default');
    if (this.attached) parts.push('attached');
    if (!this.#owning) parts.push('view');
    else if (!native.owns()) parts.push('foreign');
    parts.push(`pending=${native.pendingCount()}`, `ref=${this.refCount}`);
    return `<Loop ${parts.join(' ')}>`;
  }
}

/** A collect interval: libev sleeps that long per iteration, so more than a second is a mistake. */
function checkCollectInterval(seconds: unknown): asserts seconds is number {
  checkFinite('seconds', seconds);
  if (seconds < 0 || seconds > 1) throw outOfRangeError(`seconds must be from 0 to 1, got ${seconds}`);
}
