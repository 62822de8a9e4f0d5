import { inspect } from 'node:util';
import { supportedBackends as supportedBackendNames } from '@evkit/core-native';
import type { Callback, CallbackFunction } from './callback.js';
import { BACKEND_ALL, BACKEND_MASK, FLAG_FORKCHECK, FLAG_NOENV, FLAG_NOINOTIFY, FLAG_NOSIGMASK, FLAG_NOTIMERFD, FLAG_SIGNALFD } from './constants.js';
import { EvError, LoopDestroyedError, argTypeError, argValueError, outOfRangeError, systemError } from './errors.js';
import { backendName, flagsToInt, flagsToList } from './flags.js';
import { LoopNewFailure, LoopState, type ErrorHandler } from './loop-state.js';
import { BREAK_ALL, BREAK_CANCEL, BREAK_ONE, RUN_NOWAIT, RUN_ONCE, binding, type NativeLoop } from './native.js';
import { checkBoolean, checkFunction, checkOptions, describe } from './validate.js';
import { OWN_PACKAGE_DIR, kLoopCopy, registerCopy } from './package-copies.js';

export interface LoopOptions {
  /** Backends and flags: a number, `"epoll"`, `"select, noinotify"`, `["poll"]`. */
  flags?: number | string | readonly string[] | null;
  /** The `ptr` of a live evkit loop: gives a second view of it that does not own it. */
  ptr?: bigint;
  /** With `ptr`: accept an `ev_loop*` evkit does not know (native interop). */
  unsafeForeignPointer?: boolean;
}

export interface RunOptions {
  /** Poll once without blocking (`EVRUN_NOWAIT`). */
  nowait?: boolean;
  /** Block for one round of events at most (`EVRUN_ONCE`). */
  once?: boolean;
}

export type BreakHow = 'one' | 'all' | 'cancel';

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
      throw argTypeError('options.unsafeForeignPointer is only meaningful with options.ptr');
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
    return this.#state.native;
  }

  /** The backend's name, e.g. `"epoll"`. */
  get backend(): string {
    return backendName(this.#native().backend());
  }

  get backendInt(): number {
    return this.#native().backend();
  }

  /** The `ev_loop*` address (0n once destroyed), for native interop and `new Loop({ ptr })`. */
  get ptr(): bigint {
    return this.destroyed ? 0n : this.#state.native.ptr();
  }

  /** Whether this is `Loop.default` (false once destroyed). */
  get isDefault(): boolean {
    return this.#state.isDefault && !this.destroyed;
  }

  get destroyed(): boolean {
    return this.#detached || this.#state.destroyed;
  }

  /** Whether Node's event loop drives this loop (attached mode). */
  get attached(): boolean {
    this.#native();
    return this.#state.attached;
  }

  /**
   * Makes Node's event loop drive this loop: its callbacks run on this thread
   * as Node events (promise reactions and `process.nextTick` settle after each
   * one), and while it has active referenced watchers or queued callbacks it
   * keeps the process alive like a referenced Node handle. An attached loop
   * lives until `detach()` or `destroy()`, referenced or not.
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
   */
  detach(): this {
    this.#native();
    this.#state.detach();
    return this;
  }

  /**
   * Attaches the loop and resolves when nothing keeps it alive any more
   * (`refCount` is 0) or `break()` is called. The loop stays attached.
   */
  runAsync(): Promise<void> {
    this.attach();
    return this.#state.whenSettled();
  }

  /** libev's cached time (`ev_now`): frozen during a batch of callbacks. */
  now(): number {
    return this.#native().now();
  }

  updateNow(): void {
    this.#native().updateNow();
  }

  /** Number of polls so far (`ev_iteration`). */
  get iteration(): number {
    return this.#native().iteration();
  }

  /** Nesting depth of `run()` (`ev_depth`): 1 inside a callback of a plain `run()`. */
  get depth(): number {
    return this.#native().depth();
  }

  get pendingCount(): number {
    return this.#native().pendingCount();
  }

  /** Active user watchers of this loop. */
  get activeCount(): number {
    return this.#native().activeCount();
  }

  /** What keeps the loop alive: active referenced watchers, queued callbacks and `ref()` calls. */
  get refCount(): number {
    return this.#native().refCount() + this.#state.queuedCallbacks;
  }

  get errorHandler(): ErrorHandler | null {
    this.#native();
    return this.#state.errorHandler;
  }

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

  /** Stops `run()` after the current batch of callbacks (`ev_break`); on an attached loop, settles `runAsync()`. */
  break(how: BreakHow = 'one'): void {
    const value = BREAKS[how];
    if (value === undefined || !Object.hasOwn(BREAKS, how)) {
      throw argValueError(`how must be "one", "all" or "cancel", got ${describe(how)}`);
    }
    const native = this.#native();
    if (this.#state.attached) this.#state.settle();
    else native.break(value);
  }

  /** Counts one more reference keeping the loop alive (`ev_ref`). */
  ref(): void {
    this.#native().ref();
  }

  /**
   * Takes back one `ref()` call. Throws `EvError` (`ERR_EVKIT_UNREF`) when no
   * `ref()` is outstanding: a loop never counts fewer references than it has
   * (use a watcher's own `unref()` to let the loop end while it is active).
   */
  unref(): void {
    if (!this.#native().unref()) {
      throw new EvError('unref() without an outstanding ref() on this loop (use watcher.unref() for a watcher)', 'ERR_EVKIT_UNREF');
    }
  }

  /** libev's internal consistency check (`ev_verify`; a no-op unless libev was built with EV_VERIFY). */
  verify(): void {
    this.#native().verify();
  }

  /** `ev_loop_fork`: what a forked child calls; fork watchers fire on the next iteration. */
  reinit(): void {
    const errno = this.#native().reinit();
    if (errno !== 0) throw systemError('reinit(): libev cannot re-create its wake-up fd', errno, 'eventfd');
  }

  /**
   * Stops and closes every watcher and frees the loop. Idempotent. On a view
   * (`new Loop({ ptr })`) it only retires the view and leaves the loop alone.
   */
  destroy(): void {
    if (this.#detached) return;
    this.#detached = true;
    if (this.#owning) this.#state.destroy();
  }

  /** For `using loop = new Loop()`: `destroy()` when the scope ends. */
  [Symbol.dispose](): void {
    this.destroy();
  }

  /**
   * Queues `fn(...args)` to run before the loop next blocks (gevent's
   * `run_callback`): FIFO, once; callbacks queued while the queue drains run in
   * the same pass; a queued callback keeps the loop alive.
   */
  runCallback<A extends unknown[]>(fn: CallbackFunction<A>, ...args: A): Callback<A> {
    this.#native();
    checkFunction('fn', fn);
    return this.#state.enqueue(fn, args);
  }

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
