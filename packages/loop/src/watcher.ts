import { inspect } from 'node:util';
import { captureContext, runInContext, type AsyncContext } from './async-context.js';
import { EvError, LoopDestroyedError, WatcherClosedError, argTypeError, stateTypeError } from './errors.js';
import { Loop, loopState } from './loop.js';
import type { LoopState } from './loop-state.js';
import { kInvoke, type NativeLoop, type NativeWatcher } from './native.js';
import { checkBoolean, checkFunction, checkInteger, checkOptions, checkPriority, describe } from './validate.js';

export interface WatcherOptions {
  /** Whether the watcher keeps its loop alive while active (default true). */
  ref?: boolean;
  /** libev priority, an integer from MINPRI (-2) to MAXPRI (2); default 0. */
  priority?: number;
}

/** A watcher's callback: gets the watcher as `this` and the args given to `start()`. */
export type WatcherCallback<A extends unknown[], W = unknown> = (this: W, ...args: A) => unknown;

/** Creates the native half of a watcher kind: `(loop, owner) => new binding.Kind(loop, owner, ...)`. */
export type NativeWatcherFactory = (loop: NativeLoop, owner: object) => NativeWatcher;

/**
 * The base of every watcher kind. Constructors never start a watcher;
 * `start(callback, ...args)` does. An active or pending watcher stays alive
 * without a user reference; a stopped or closed one can be collected.
 */
export abstract class Watcher<A extends unknown[] = unknown[]> {
  readonly #loop: Loop;
  readonly #state: LoopState;
  readonly #native: NativeWatcher;
  #callback: WatcherCallback<A> | null = null;
  #args: A | null = null;
  #closed = false;
  #starts = 0;
  /** The async context start() ran in, when the loop is attached (Node's timers do the same). */
  #context: AsyncContext | undefined;

  protected constructor(loop: Loop, createNative: NativeWatcherFactory, options?: WatcherOptions) {
    if (!(loop instanceof Loop)) {
      throw argTypeError(`loop must be an evkit Loop, got ${describe(loop)}`);
    }
    const opts = checkOptions('options', options);
    if (opts.ref !== undefined) checkBoolean('options.ref', opts.ref);
    if (opts.priority !== undefined) checkPriority(opts.priority);
    const state = loopState(loop);
    if (loop.destroyed) throw new LoopDestroyedError();
    this.#loop = loop;
    this.#state = state;
    this.#native = createNative(state.native, this);
    if (opts.priority !== undefined) this.#native.setPriority(opts.priority as number);
    if (opts.ref === false) this.#native.setKeepalive(false);
  }

  /** The watcher kind's name, for messages. */
  get #kind(): string {
    return this.constructor.name;
  }

  #usable(): NativeWatcher {
    if (this.#state.destroyed) throw new LoopDestroyedError();
    if (this.#closed) throw new WatcherClosedError(this.#kind);
    return this.#native;
  }

  /**
   * The native half, for kinds' members: throws `LoopDestroyedError` or
   * `WatcherClosedError` first, so every member of a kind is guarded alike.
   */
  protected native<N extends NativeWatcher = NativeWatcher>(): N {
    return this.#usable() as N;
  }

  /** The loop this watcher belongs to. */
  get loop(): Loop {
    this.#usable();
    return this.#loop;
  }

  /**
   * Starts watching; `callback(...args)` runs on each event, with the watcher
   * as `this`. On an active watcher it only replaces callback and args.
   */
  start(callback: WatcherCallback<A, this>, ...args: A): this {
    const native = this.#usable();
    checkFunction('callback', callback);
    this.#callback = callback as WatcherCallback<A>;
    this.#args = args;
    this.#context = this.#state.attached ? captureContext() : undefined;
    this.#starts++;
    const status = native.start();
    if (status !== 0) {
      // Not started: forget the callback, and the kind says what went wrong.
      this.#callback = null;
      this.#args = null;
      this.#context = undefined;
      throw this.startError(status);
    }
    return this;
  }

  /**
   * The error for a start the native half refused: `status` is the kind's own
   * (an errno, a libuv error, a small code; see binding.ts). Kinds whose
   * start can fail override it.
   */
  protected startError(status: number): Error {
    return new EvError(`cannot start the ${this.#kind} watcher (status ${status})`, 'ERR_EVKIT_START');
  }

  /** Stops watching and clears a pending event; releases callback and args. */
  stop(): this {
    this.#usable().stop();
    this.#callback = null;
    this.#args = null;
    this.#context = undefined;
    return this;
  }

  /** Stops the watcher for good. Idempotent; afterwards every method but `close` throws. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#native.close();
    this.#callback = null;
    this.#args = null;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Whether `close()` was called or the loop was destroyed (which closes every watcher). */
  get closed(): boolean {
    return this.#closed || this.#state.destroyed;
  }

  get active(): boolean {
    return this.#usable().active();
  }

  get pending(): boolean {
    return this.#usable().pending();
  }

  get callback(): WatcherCallback<A, this> | null {
    this.#usable();
    return this.#callback;
  }

  set callback(callback: WatcherCallback<A, this>) {
    this.#usable();
    checkFunction('callback', callback);
    this.#callback = callback as WatcherCallback<A>;
  }

  get args(): A | null {
    this.#usable();
    return this.#args;
  }

  set args(args: A | null) {
    this.#usable();
    if (args !== null && !Array.isArray(args)) {
      throw argTypeError(`args must be an array or null, got ${describe(args)}`);
    }
    this.#args = args;
  }

  get priority(): number {
    return this.#usable().priority();
  }

  /** Settable only while the watcher is neither active nor pending (libev's rule). */
  set priority(priority: number) {
    const native = this.#usable();
    checkPriority(priority);
    if (!native.setPriority(priority)) {
      throw new EvError(
        `Cannot set priority of an active or pending ${this.#kind} watcher; stop() it first`,
        'ERR_EVKIT_WATCHER_ACTIVE',
      );
    }
  }

  /** Makes the watcher keep its loop alive while active (the default). */
  ref(): this {
    this.#usable().setKeepalive(true);
    return this;
  }

  /** Lets the loop end while this watcher is still active. */
  unref(): this {
    this.#usable().setKeepalive(false);
    return this;
  }

  /** Whether this watcher keeps its loop alive right now: active and referenced. */
  hasRef(): boolean {
    const native = this.#usable();
    return native.active() && native.keepalive();
  }

  /** Makes the watcher pending with `revents` (`ev_feed_event`), even when inactive. */
  feed(revents: number): void {
    const native = this.#usable();
    checkInteger('revents', revents, -0x80000000, 0xffffffff);
    if (this.#callback === null) {
      throw stateTypeError(`feed() needs a callback: start() the ${this.#kind} watcher or set its callback first`);
    }
    native.feed(revents | 0);
  }

  /** Calls the user callback; kinds override it to pass extra arguments. */
  protected fire(callback: WatcherCallback<A>, args: A, _revents: number): void {
    if (args.length === 0) (callback as (this: this) => unknown).call(this);
    else callback.apply(this, args);
  }

  /** Called after the callback threw (io watchers stop themselves here). */
  protected onCallbackError(): void {}

  /** Entry point from native code (see native.ts); never throws. */
  [kInvoke](revents: number, active: boolean): void {
    const callback = this.#callback;
    if (callback === null) return;
    const starts = this.#starts;
    const args = this.#args ?? ([] as unknown[] as A);
    const context = this.#context;
    try {
      if (context === undefined) this.fire(callback, args, revents);
      else runInContext(context, () => this.fire(callback, args, revents));
    } catch (error) {
      this.#state.report(error, this);
      if (!this.#closed && !this.#state.destroyed) this.onCallbackError();
    }
    // libev stopped it (one-shot) and the callback neither restarted nor fed
    // it: release callback and args, as gevent does, so they can be collected.
    if (!active && starts === this.#starts && !this.#closed && !this.#native.active() && !this.#native.pending()) {
      this.#callback = null;
      this.#args = null;
      this.#context = undefined;
    }
  }

  [inspect.custom](): string {
    const flags: string[] = [];
    if (this.#state.destroyed) flags.push('loop destroyed');
    else if (this.#closed) flags.push('closed');
    else {
      if (this.active) flags.push('active');
      if (this.pending) flags.push('pending');
      if (this.priority !== 0) flags.push(`priority=${this.priority}`);
      if (!this.#native.keepalive()) flags.push('unref');
    }
    return `<${this.#kind}${flags.length ? ' ' + flags.join(' ') : ''}>`;
  }
}
