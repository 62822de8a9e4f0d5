import { inspect } from 'node:util';
import { checkAbortSignal, closeOnAbort, forgetAbort } from './abort.js';
import { ContextualCall, type AsyncContext } from './async-context.js';
import { DEFAULT_HIGH_WATER_MARK, EventQueue, type IterateOptions } from './iterate.js';
import { EvError, LoopDestroyedError, WatcherClosedError, argTypeError, noCallbackError, suspendedError } from './errors.js';
import { Loop, loopState } from './loop.js';
import { checkLoop } from './loop-check.js';
import type { LoopState } from './loop-state.js';
import { NATIVE_CONTEXTS, binding, kInvoke } from './native.js';
import { checkBoolean, checkFunction, checkInteger, checkOptions, checkPriority, describe } from './validate.js';
import {
  STATE_ACTIVE,
  STATE_PENDING,
  STATE_QUEUED,
  STATUS_LOOP_GONE,
  STATUS_TOO_MANY,
  indexOf,
  owners,
  state,
} from './watcher-table.js';

/** The options every watcher constructor takes last; kinds may add their own (Io's `passEvents`). */
export interface WatcherOptions {
  /** Whether the watcher keeps its loop alive while active (default true). */
  ref?: boolean;
  /** libev priority, an integer from MINPRI (-2) to MAXPRI (2); default 0. */
  priority?: number;
  /**
   * Closes the watcher when it aborts, as `close()` would (like the `signal` of
   * `timers/promises` and `events.on`). A watcher made with an aborted signal
   * is closed from the start. The listener leaves the signal when the watcher
   * closes or is collected; Node warns past 10 listeners on one signal
   * (`events.setMaxListeners(n, signal)` raises that).
   */
  signal?: AbortSignal;
}

/** A watcher's callback: gets the watcher as `this` and the args given to `start()`. */
export type WatcherCallback<A extends unknown[], W = unknown> = (this: W, ...args: A) => unknown;

/**
 * Type-level only: a watcher declares `[kReventsFirst]: true` (Io with
 * `passEvents`) when its callback gets the event mask before the args.
 */
export const kReventsFirst = Symbol.for('evkit.watcher.reventsFirst');

/**
 * Type-level only: a watcher declares `[kMessageFirst]: { message: M }`
 * (`AsyncMailbox`) when its callback gets a message of type `M` before the args.
 */
export const kMessageFirst = Symbol.for('evkit.watcher.messageFirst');

/** What iterating watcher `W` yields: a message for a watcher that carries them, else revents. */
export type IterationValueOf<W> = W extends {
  /** Set (type-level only) by a watcher whose callback gets a message first. */
  readonly [kMessageFirst]?: {
    /** The type of the messages. */
    message: infer M;
  };
}
  ? M
  : number;

/**
 * The callback `start()` takes on watcher `W` with args `A`: `(...args)`,
 * `(revents, ...args)` or `(message, ...args)`.
 */
export type WatcherCallbackOf<W, A extends unknown[]> = W extends {
  /** Set (type-level only) by a watcher whose callback gets `revents` first. */
  readonly [kReventsFirst]?: true;
}
  ? (this: W, revents: number, ...args: A) => unknown
  : W extends {
        /** Set (type-level only) by a watcher whose callback gets a message first. */
        readonly [kMessageFirst]?: {
          /** The type of the messages. */
          message: infer M;
        };
      }
    ? (this: W, message: M, ...args: A) => unknown
    : (this: W, ...args: A) => unknown;

/**
 * A kind's native watcher (binding.ts WatcherKind). A transient kind has a
 * native half only while active or pending, made from its two parameters at
 * `start()`. A persistent kind keeps state while stopped: its constructor
 * makes the native half (`adopt()`), and `close()` or the GC frees it.
 */
export interface NativeKind {
  /** The kind's number, from `WatcherKind` of `@evkit/core-native/binding`. */
  readonly kind: number;
  /** True for a kind that keeps native state while stopped (Async, Stat). */
  readonly persistent?: boolean;
}

// Flags as native code unpacks them: bits 0-2 priority + 2, bit 3 unref;
// bits 4 to 6 are JS's own (closed; an AbortSignal listens; iterated).
const FLAG_UNREF = 8;
const FLAG_CLOSED = 16;
const FLAG_ABORTABLE = 32;
const FLAG_ITERATED = 64;
const NATIVE_FLAGS = 15;
const PRIORITY_MASK = 7;
const DEFAULT_FLAGS = 2;
// Bits 7 and 8: the kind's parameter a (b) is kept in microseconds, see
// compactParam().
const FLAG_A_MICROS = 128;
const FLAG_B_MICROS = 256;
// Bits 9 to 29 count start() calls (wrapping), so a delivery can tell
// whether its callback restarted the watcher. Fields cost 8 bytes in every
// watcher: this shares one with the flags, and stays a small integer.
const STARTS_SHIFT = 9;
const STARTS_UNIT = 1 << STARTS_SHIFT;
const FLAGS_LIMIT = 0x3fffffff;

/** The watcher whose callback is running (kInvoke), if any. */
let delivering: object | undefined;

/** Small integers are stored unboxed in V8 (31 bits with pointer compression). */
const SMALL_INTEGER = 2 ** 30;

/**
 * A watcher keeps its kind's two parameters in fields. A fractional number
 * there is a heap object of its own (16 bytes, and work for the GC) in every
 * watcher: a timer's `after` in seconds, say. Such a value that is an exact
 * number of microseconds (any time written with up to 6 decimals) is kept as
 * that integer instead: returns it, or undefined to keep `value` as it is.
 */
function compactParam(value: number): number | undefined {
  if (Number.isInteger(value)) return undefined;
  const micros = Math.round(value * 1e6);
  return micros / 1e6 === value && micros < SMALL_INTEGER && micros > -SMALL_INTEGER ? micros : undefined;
}

/** Shared by every start() without extra arguments. */
const NO_ARGS: never[] = [];

/**
 * The context of a start() that the native half keeps (`capture`): an
 * attached delivery is made in it, and a blocking run() after detach() asks
 * native code to make the callback in it (watcherCallInContext).
 */
const NATIVE_CONTEXT: unique symbol = Symbol('evkit.watcher.nativeContext');
type StartContext = AsyncContext | typeof NATIVE_CONTEXT;

/**
 * A watcher's callback with its args or its async context. Every field costs
 * 8 bytes in every watcher: a bare callback, the common case, is kept alone.
 */
class BoundCall<A extends unknown[]> {
  constructor(
    readonly callback: WatcherCallback<A> | null,
    readonly args: A | null,
    readonly context: StartContext | undefined,
  ) {}
}

/** The queue of each watcher being iterated (Watcher#iterate). */
const iterations = new WeakMap<object, EventQueue<unknown>>();
/** An iterated watcher's callback: deliveries go to its queue instead (a callback must exist for feed()). */
const iterationCallback = (): void => {};

/** Frees the native half of a collected persistent watcher (a stale id is a no-op). */
const collected = new FinalizationRegistry<number>((id) => binding.watcherClose(id));

/**
 * The base of every watcher kind. Constructors never start a watcher;
 * `start(callback, ...args)` does. An active or pending watcher stays alive
 * without a user reference; a stopped or closed one can be collected.
 *
 * Applications use the kinds (`Timer`, `Io`, `Signal`, ...); the members
 * documented here work alike on all of them. Watcher packages extend it.
 *
 * @example
 * ```ts
 * import { Loop, MAXPRI } from '@evkit/loop';
 * import { Timer } from '@evkit/timer';
 *
 * const loop = new Loop();
 * const timer = new Timer(loop, 0.05, 0, { priority: MAXPRI });
 * timer.start(function (label: string) {
 *   console.log(label, this.active); // "done false": a one-shot stops itself
 * }, 'done');
 * loop.run();
 * timer.close();
 * ```
 */
export abstract class Watcher<A extends unknown[] = unknown[]> {
  readonly #loop: Loop;
  /** The native half's id; 0 while a transient kind has none. */
  #id = 0;
  /** Priority and ref, packed as native code takes them, JS's own bits, and the start count (see FLAG_*). */
  #flags = DEFAULT_FLAGS;
  // Never a double in practice (compactParam), and null first so V8 keeps
  // these fields tagged: a double field would box every watcher's value.
  #a: number | null = null;
  #b: number | null = null;
  /** The callback, bare when it has no args and no async context (the common case), else with them. */
  #call: WatcherCallback<A> | BoundCall<A> | ContextualCall<WatcherCallback<A>, A> | null = null;

  /**
   * For kinds: validates `options` and binds the watcher to `loop`, without
   * starting it. `a` and `b` are the kind's native parameters (a timer's
   * after and repeat, an io's fd and events); a kind changes them with
   * `setParams()`.
   */
  protected constructor(loop: Loop, options?: WatcherOptions, a = 0, b = 0) {
    checkLoop('loop', loop);
    if (options !== undefined) {
      const opts = checkOptions('options', options);
      if (opts.ref !== undefined) checkBoolean('options.ref', opts.ref);
      if (opts.priority !== undefined) checkPriority(opts.priority);
      if (opts.priority !== undefined) this.#flags = (opts.priority as number) + 2;
      if (opts.ref === false) this.#flags |= FLAG_UNREF;
      if (opts.signal !== undefined) checkAbortSignal('options.signal', opts.signal);
    }
    if (loop.destroyed) throw new LoopDestroyedError();
    this.#loop = loop;
    this.#storeParams(a, b);
    const signal = options?.signal;
    if (signal === undefined) return;
    if (signal.aborted) {
      this.#flags |= FLAG_CLOSED;
    } else {
      this.#flags |= FLAG_ABORTABLE;
      closeOnAbort(this, signal);
    }
  }

  /** A persistent kind's constructor makes its native half: `make(loopId, flags)` returns its id or 0. */
  protected adopt(make: (loopId: number, flags: number) => number): void {
    if (this.#flags & FLAG_CLOSED) return; // aborted before it was made
    const id = make(this.#loopState.id, this.#flags & NATIVE_FLAGS);
    if (id === 0) throw this.#nativeError(binding.watcherStatus());
    this.#id = id;
    collected.register(this, id, this);
  }

  /** How the kind's native half is made: every kind overrides this getter (no per-watcher field). */
  protected get nativeKind(): NativeKind {
    throw new TypeError(`${this.constructor.name} does not say what kind of native watcher it is`);
  }

  get #callback(): WatcherCallback<A> | null {
    const call = this.#call;
    return call === null || typeof call === 'function' ? call : call.callback;
  }

  get #args(): A | null {
    const call = this.#call;
    if (call === null) return null;
    return typeof call === 'function' ? (NO_ARGS as unknown as A) : call.args;
  }

  /** The async context start() ran in, when the loop is attached (Node's timers do the same). */
  get #context(): StartContext | undefined {
    const call = this.#call;
    return call === null || typeof call === 'function' ? undefined : call.context;
  }

  #bind(callback: WatcherCallback<A> | null, args: A | null, context: StartContext | undefined): void {
    if (callback !== null && (args as unknown) === NO_ARGS && context === undefined) this.#call = callback;
    else if (callback === null && args === null && context === undefined) this.#call = null;
    else this.#call = new BoundCall(callback, args, context);
  }

  /** Read through the loop rather than kept: one field less in every watcher. */
  get #loopState(): LoopState {
    return loopState(this.#loop);
  }

  /** The watcher kind's name, for messages. */
  get #name(): string {
    return this.constructor.name;
  }

  #usable(): void {
    if (this.#loopState.destroyed) throw new LoopDestroyedError();
    if (this.#loopState.suspended) throw suspendedError();
    if (this.#flags & FLAG_CLOSED) throw new WatcherClosedError(this.#name);
  }

  /**
   * For kinds' members: throws `LoopDestroyedError` or `WatcherClosedError`
   * first, so every member of a kind is guarded alike; returns the native id
   * (0 while a transient kind has no native half).
   */
  protected nativeId(): number {
    this.#usable();
    return this.#id;
  }

  /** Like nativeId(), making the native half first when there is none. */
  protected ensureNative(): number {
    this.#usable();
    if (this.#id === 0) {
      const id = binding.watcherCreate(this.#loopState.id, this.nativeKind.kind, this.#flags & NATIVE_FLAGS, this.paramA, this.paramB);
      if (id === 0) throw this.#nativeError(binding.watcherStatus());
      this.#id = id;
    }
    return this.#id;
  }

  /** A kind's verb changed the watcher's state natively (again()): pin or unpin it. */
  protected synced(): void {
    this.#sync();
  }

  /** Changes the kind's native parameters: for the next start, and for a present native half. */
  protected setParams(a: number, b: number): void {
    this.#storeParams(a, b);
    if (this.#id !== 0) binding.watcherSetParams(this.#id, a, b);
  }

  /** The kind's first native parameter, as last given (no guard: kinds call nativeId() first). */
  protected get paramA(): number {
    const a = this.#a as number;
    return this.#flags & FLAG_A_MICROS ? a / 1e6 : a;
  }

  /** The kind's second native parameter, as last given. */
  protected get paramB(): number {
    const b = this.#b as number;
    return this.#flags & FLAG_B_MICROS ? b / 1e6 : b;
  }

  #storeParams(a: number, b: number): void {
    const microsA = compactParam(a);
    const microsB = compactParam(b);
    this.#a = microsA ?? a;
    this.#b = microsB ?? b;
    const flags = this.#flags & ~(FLAG_A_MICROS | FLAG_B_MICROS);
    this.#flags = flags | (microsA === undefined ? 0 : FLAG_A_MICROS) | (microsB === undefined ? 0 : FLAG_B_MICROS);
  }

  /** Its state byte (STATE_*; 0 with no native half): no call into native code. */
  #bits(): number {
    return this.#id === 0 ? 0 : state[indexOf(this.#id)]!;
  }

  /** After a native call: pins the watcher while active or pending, lets go otherwise. */
  #sync(): void {
    const id = this.#id;
    if (id === 0) return;
    const index = indexOf(id);
    if (state[index] !== 0) {
      owners[index] = this;
      return;
    }
    if (owners[index] === this) owners[index] = undefined;
    // A transient kind's native half was released with its last state.
    if (this.nativeKind.persistent !== true) this.#id = 0;
  }

  #activeError(what: string): EvError {
    return new EvError(`Cannot set ${what} of an active or pending ${this.#name} watcher; stop() it first`, 'ERR_EVKIT_WATCHER_ACTIVE');
  }

  /**
   * For kinds' setters of what libev allows to change only while a watcher is
   * neither active nor pending (a signal's number): throws `EvError`
   * `ERR_EVKIT_WATCHER_ACTIVE` naming `what` otherwise, and the guards of
   * every member first.
   */
  protected assertStopped(what: string): void {
    this.#usable();
    if (this.#bits() !== 0) throw this.#activeError(what);
  }

  #nativeError(status: number): Error {
    if (status === STATUS_LOOP_GONE) return new LoopDestroyedError();
    if (status === STATUS_TOO_MANY) {
      return new EvError('too many watchers in this thread (4,194,304 at most)', 'ERR_EVKIT_TOO_MANY_WATCHERS');
    }
    return this.startError(status);
  }

  /**
   * The loop this watcher belongs to.
   *
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   */
  get loop(): Loop {
    this.#usable();
    return this.#loop;
  }

  /**
   * Starts watching; `callback(...args)` runs on each event, with the watcher
   * as `this`. On an active watcher it only replaces callback and args. The
   * callback's parameter types are inferred from `args`. On an attached loop
   * the callback runs in the async context (`AsyncLocalStorage`) current here.
   *
   * @returns The watcher, for chaining.
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when `callback` is not a function.
   * @throws `EvError` when the kind cannot start (an Io's closed fd: `EBADF`;
   *   `ERR_EVKIT_TOO_MANY_WATCHERS` past 4,194,304 watchers in a thread).
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * import { Loop } from '@evkit/loop';
   * import { Timer } from '@evkit/timer';
   *
   * const loop = new Loop();
   * const timer = new Timer(loop, 0.1).start((greeting: string, n: number) => {
   *   console.log(greeting, n); // "hello 42"
   * }, 'hello', 42);
   * loop.run();
   * ```
   */
  start<B extends A>(callback: WatcherCallbackOf<this, B>, ...args: B): this {
    this.#usable();
    const attached = this.#loopState.attached;
    const nativeContext = attached && NATIVE_CONTEXTS && this.#contextPaysNatively() ? 1 : 0;
    this.#useCallback(callback, args, attached, nativeContext === 1);
    this.#flags = (this.#flags + STARTS_UNIT) & FLAGS_LIMIT;
    const id = this.#id;
    if (id === 0) {
      const made = binding.watcherStart(
        this.#loopState.id,
        this.nativeKind.kind,
        this.#flags & NATIVE_FLAGS,
        this.paramA,
        this.paramB,
        nativeContext,
      );
      if (made === 0) this.#failStart(binding.watcherStatus());
      this.#id = made;
      owners[indexOf(made)] = this;
    } else {
      const status = binding.watcherRestart(id, nativeContext);
      if (status !== 0) this.#failStart(status);
      this.#sync();
    }
    return this;
  }

  /**
   * Whether an attached start also keeps its async context natively. Then an
   * attached callback is made in it (no second switch in JS around the
   * callback: ~1 µs of a lone event's latency here), but making one costs
   * more than a JS AsyncResource and holds V8 handles until the watcher
   * stops. That pays for a watcher that fires again and again, and for a
   * one-shot re-armed from its own callback (one context alive at a time);
   * not for a batch of one-shots started together (200k timers: about -15 %
   * in the bench's W1).
   */
  #contextPaysNatively(): boolean {
    return !this.firesOnce || delivering === this;
  }

  /** A start of this watcher fires at most once (a one-shot timer); see #contextPaysNatively. */
  protected get firesOnce(): boolean {
    return false;
  }

  #failStart(status: number): never {
    // Not started: forget the callback, and the kind says what went wrong.
    this.#call = null;
    throw this.#nativeError(status);
  }

  /**
   * The error for a start the native half refused: `status` is the kind's own
   * (an errno, a libuv error, a small code; see binding.ts). Kinds whose
   * start can fail override it.
   */
  protected startError(status: number): Error {
    return new EvError(`cannot start the ${this.#name} watcher (status ${status})`, 'ERR_EVKIT_START');
  }

  /**
   * Stops watching and clears a pending event; releases callback and args.
   * The watcher keeps its settings and can be started again.
   *
   * @returns The watcher, for chaining.
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * const timer = new Timer(loop, 1, 1).start(() => console.log('tick'));
   * timer.stop(); // no tick; run() would return at once
   * timer.start(() => console.log('tick again')); // counts `after` from now again
   * ```
   */
  stop(): this {
    this.#usable();
    const id = this.#id;
    if (id !== 0) {
      binding.watcherStop(id);
      this.#sync();
    }
    if (this.#flags & FLAG_ITERATED) this.#endIteration();
    this.#call = null;
    return this;
  }

  /**
   * Stops the watcher for good and frees what it holds. Idempotent;
   * afterwards every member but `close` and `closed` throws
   * `WatcherClosedError`.
   *
   * @example
   * ```ts
   * const timer = new Timer(loop, 1).start(() => {});
   * timer.close();
   * timer.close(); // fine
   * console.log(timer.closed); // true
   * ```
   */
  close(): void {
    if (this.#flags & FLAG_CLOSED) return;
    this.#flags |= FLAG_CLOSED;
    if (this.#flags & FLAG_ABORTABLE) forgetAbort(this);
    if (this.#flags & FLAG_ITERATED) this.#endIteration();
    const id = this.#id;
    if (id !== 0) {
      // After the loop's destroy() only a persistent kind's native half is left.
      const index = indexOf(id);
      binding.watcherClose(id);
      if (owners[index] === this) owners[index] = undefined;
      if (this.nativeKind.persistent === true) collected.unregister(this);
    }
    this.#id = 0;
    this.#call = null;
  }

  /**
   * For `using`: `close()` when the scope ends.
   *
   * @example
   * ```ts
   * {
   *   using timer = new Timer(loop, 0.1).start(() => console.log('fired'));
   *   loop.run();
   * } // closed here
   * ```
   */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Whether `close()` was called or the loop was destroyed (which closes every watcher). Never throws. */
  get closed(): boolean {
    return (this.#flags & FLAG_CLOSED) !== 0 || this.#loopState.destroyed;
  }

  /**
   * Whether the watcher is started and watching. A one-shot (a timer that
   * fired) is no longer active. On an attached loop this is the JS thread's
   * view: a one-shot reads active until its callback was delivered.
   */
  get active(): boolean {
    this.#usable();
    return (this.#bits() & STATE_ACTIVE) !== 0;
  }

  /** Whether an event of the watcher is waiting for its callback to run (also one made by `feed()`). */
  get pending(): boolean {
    this.#usable();
    return (this.#bits() & (STATE_PENDING | STATE_QUEUED)) !== 0;
  }

  /** The callback given to `start()` (or set); `null` before that, after `stop()`, and once a one-shot has run. */
  get callback(): WatcherCallbackOf<this, A> | null {
    this.#usable();
    return this.#callback as WatcherCallbackOf<this, A> | null;
  }

  /**
   * Replaces the callback without starting the watcher.
   *
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) for a value that is not a function.
   */
  set callback(callback: WatcherCallbackOf<this, A>) {
    this.#usable();
    checkFunction('callback', callback);
    this.#bind(callback as WatcherCallback<A>, this.#args, this.#context);
  }

  /** The extra arguments the callback gets; `null` when the watcher has no callback. */
  get args(): A | null {
    this.#usable();
    return this.#args;
  }

  /**
   * Replaces the callback's arguments.
   *
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) for a value that is neither an array nor `null`.
   */
  set args(args: A | null) {
    this.#usable();
    if (args !== null && !Array.isArray(args)) {
      throw argTypeError(`args must be an array or null, got ${describe(args)}`);
    }
    this.#bind(this.#callback, args, this.#context);
  }

  /** libev priority, from `MINPRI` (-2) to `MAXPRI` (2): pending watchers of a higher priority run first. */
  get priority(): number {
    this.#usable();
    return (this.#flags & PRIORITY_MASK) - 2;
  }

  /**
   * Settable only while the watcher is neither active nor pending (libev's rule).
   *
   * @throws `RangeError` (`ERR_OUT_OF_RANGE`) outside `MINPRI..MAXPRI` or for a
   *   fraction; `TypeError` (`ERR_INVALID_ARG_TYPE`) for a non-number.
   * @throws `EvError` `ERR_EVKIT_WATCHER_ACTIVE` while the watcher is active or pending.
   */
  set priority(priority: number) {
    this.#usable();
    checkPriority(priority);
    const id = this.#id;
    if (this.#bits() !== 0 || (id !== 0 && !binding.watcherSetPriority(id, priority))) throw this.#activeError('priority');
    this.#flags = (this.#flags & ~PRIORITY_MASK) | (priority + 2);
  }

  /**
   * Makes the watcher keep its loop alive while active (the default): `run()`
   * waits for it, and an attached loop keeps the process alive. The setting
   * survives `stop()` and `start()`.
   *
   * @returns The watcher, for chaining.
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * const timer = new Timer(loop, 5, 0, { ref: false });
   * timer.ref().start(() => console.log('run() waits for me after all'));
   * ```
   */
  ref(): this {
    this.#setRef(true);
    return this;
  }

  /**
   * Lets the loop end while this watcher is still active: `run()` returns
   * (and an attached loop lets the process exit) when only unreferenced
   * watchers are left. The setting survives `stop()` and `start()`.
   *
   * @returns The watcher, for chaining.
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * // A heartbeat that does not keep the process alive by itself.
   * new Timer(Loop.default, 1, 1).start(() => console.log('still here')).unref();
   * ```
   */
  unref(): this {
    this.#setRef(false);
    return this;
  }

  #setRef(keep: boolean): void {
    this.#usable();
    this.#flags = keep ? this.#flags & ~FLAG_UNREF : this.#flags | FLAG_UNREF;
    if (this.#id !== 0) binding.watcherSetKeepalive(this.#id, keep ? 1 : 0);
  }

  /**
   * Whether this watcher keeps its loop alive right now: active and referenced.
   *
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * const timer = new Timer(loop, 1);
   * timer.hasRef(); // false: not started
   * timer.start(() => {}).hasRef(); // true
   * timer.unref().hasRef(); // false
   * ```
   */
  hasRef(): boolean {
    this.#usable();
    return (this.#bits() & STATE_ACTIVE) !== 0 && (this.#flags & FLAG_UNREF) === 0;
  }

  /**
   * Makes the watcher pending with `revents` (`ev_feed_event`), even when
   * inactive: its callback runs on the loop's next iteration as if the event
   * had happened. The watcher needs a callback (from `start()` or set).
   *
   * @param revents - The event bits, e.g. `TIMER` or `CUSTOM` (libev's `int`).
   * @throws `EvError` (code `ERR_EVKIT_NO_CALLBACK`) when the watcher has no callback.
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) / `RangeError`
   *   (`ERR_OUT_OF_RANGE`) when `revents` is not a 32-bit integer.
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * import { TIMER } from '@evkit/loop';
   *
   * const timer = new Timer(loop, 60).start(() => console.log('fired early'));
   * timer.feed(TIMER);
   * loop.run({ nowait: true }); // prints "fired early"; the timer still waits its 60 s
   * ```
   */
  feed(revents: number): void {
    this.#usable();
    checkInteger('revents', revents, -0x80000000, 0xffffffff);
    if (this.#callback === null) {
      throw noCallbackError(`feed() needs a callback: start() the ${this.#name} watcher or set its callback first`);
    }
    binding.watcherFeed(this.ensureNative(), revents | 0);
    this.#sync();
  }

  /**
   * Clears a pending event and returns its revents, or 0 when the watcher was
   * not pending (libev's `ev_clear_pending`, Perl EV's `$w->clear_pending`):
   * the callback will not run for it. A one-shot timer whose expiry is
   * cleared is then inactive, as after its callback. Also clears an event the
   * loop has already collected for delivery (the rest of a batch, or an
   * attached loop's hand-off).
   *
   * @returns The revents the callback would have got (`TIMER`, `READ`, ...), or 0.
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * const timer = new Timer(loop, 1).start(() => console.log('never'));
   * timer.feed(TIMER);
   * console.log(timer.clearPending() === TIMER); // true: the fed event is gone
   * ```
   */
  clearPending(): number {
    this.#usable();
    const id = this.#id;
    if (id === 0) return 0;
    const revents = binding.watcherClearPending(id);
    this.#sync();
    return revents;
  }

  /**
   * Calls the callback now, synchronously, with `revents` (libev's
   * `ev_invoke`, Perl EV's `$w->invoke`), as a delivery would: the watcher as
   * `this`, its args (and for kinds that pass it, `revents`). Nothing changes
   * in the loop; an exception the callback throws reaches the caller. On an
   * iterated watcher the revents go to the iteration.
   *
   * @param revents - An event mask, an integer (as for `feed()`).
   * @throws `EvError` `ERR_EVKIT_NO_CALLBACK` when the watcher has no callback.
   * @throws `TypeError`/`RangeError` for a bad `revents`; `WatcherClosedError`, `LoopDestroyedError`.
   *
   * @example
   * ```ts
   * const io = new Io(loop, fd, READ, { passEvents: true }).start((revents) => console.log(revents));
   * io.invoke(READ); // logs 1 right away
   * ```
   */
  invoke(revents: number): void {
    this.#usable();
    checkInteger('revents', revents, -0x80000000, 0xffffffff);
    const callback = this.#callback;
    if (callback === null) {
      throw noCallbackError(`invoke() needs a callback: start() the ${this.#name} watcher or set its callback first`);
    }
    if (this.#flags & FLAG_ITERATED) this.pushIteration(iterations.get(this), revents | 0);
    else this.fire(callback, this.#args ?? (NO_ARGS as unknown as A), revents | 0);
  }

  /** Calls the user callback; kinds override it to pass extra arguments. */
  protected fire(callback: WatcherCallback<A>, args: A, _revents: number): void {
    if (args.length === 0) (callback as (this: this) => unknown).call(this);
    else callback.apply(this, args);
  }

  /** An event of an iterated watcher: its revents by default (a mailbox pushes its messages). */
  protected pushIteration(queue: { push(value: unknown): void } | undefined, revents: number): void {
    queue?.push(revents);
  }

  /** `break` left these iterated values unread: dropped, unless a kind keeps them (a mailbox does). */
  protected keepUnread(_values: unknown[]): void {}

  /** Called after the callback threw (io watchers stop themselves here). */
  protected onCallbackError(): void {}

  /**
   * Entry point from the loop's delivery (see native.ts): the event recorded
   * for native watcher `id`, which this watcher owned then. Never throws.
   * `inNativeContext`: an attached delivery, made in the context the native
   * half keeps for this watcher, if it keeps one.
   */
  [kInvoke](id: number, revents: number, inNativeContext = false): void {
    if (id !== this.#id) return;
    const index = indexOf(id);
    const callback = this.#callback;
    const active = (state[index]! & STATE_ACTIVE) !== 0;
    const starts = this.#flags >> STARTS_SHIFT;
    if (callback !== null) {
      const args = this.#args ?? (NO_ARGS as unknown as A);
      const context = this.#context;
      const outer = delivering;
      delivering = this;
      try {
        if (this.#flags & FLAG_ITERATED) this.pushIteration(iterations.get(this), revents);
        else if (context === undefined || (inNativeContext && context === NATIVE_CONTEXT)) {
          this.fire(callback, args, revents);
        } else if (context === NATIVE_CONTEXT) {
          binding.watcherCallInContext(id, this.fire, this, callback, args, revents);
        } else {
          context.runInAsyncScope(this.fire, this, callback, args, revents);
        }
      } catch (error) {
        this.#loopState.report(error, this);
        if (!(this.#flags & FLAG_CLOSED) && !this.#loopState.destroyed) this.onCallbackError();
      } finally {
        delivering = outer;
      }
    }
    if (this.#id === id) {
      if (state[index] !== 0) return; // still active or pending
      this.#sync();
    } else if (this.#id !== 0) {
      return; // restarted or fed: a new native half
    }
    // An iterated one-shot that libev stopped: its iteration is over (not
    // when the queue paused it).
    if (this.#flags & FLAG_ITERATED && iterations.get(this)?.paused !== true) this.#endIteration();
    // libev stopped it (one-shot) and the callback neither restarted nor fed
    // it: release callback and args, as gevent does, so they can be collected.
    if (!active && starts === this.#flags >> STARTS_SHIFT) {
      this.#call = null;
    }
  }

  /**
   * Takes `callback` and `args` as `start()` does, the caller's async context
   * included (an attached loop runs the callback in it), without starting:
   * for a kind's own verbs that take a callback (`Timer#again`).
   */
  protected useCallback<B extends A>(callback: WatcherCallbackOf<this, B>, args: B): void {
    this.#useCallback(callback, args, this.#loopState.attached, false);
  }

  /**
   * `withContext`: bound with the caller's async context, entered around
   * each callback; `native`: the native half captured it (start() with
   * `capture`) and makes the callbacks in it, so JS keeps only a marker.
   */
  #useCallback<B extends A>(callback: WatcherCallbackOf<this, B>, args: B, withContext: boolean, native: boolean): void {
    checkFunction('callback', callback);
    const bound = callback as unknown as WatcherCallback<A>;
    const boundArgs = args.length === 0 ? (NO_ARGS as unknown as A) : args;
    if (native) this.#bind(bound, boundArgs, NATIVE_CONTEXT);
    else if (withContext) this.#call = new ContextualCall(bound, boundArgs);
    else this.#bind(bound, boundArgs, undefined);
  }

  /**
   * Starts the watcher and yields the revents of each of its events (an
   * `AsyncMailbox`: each of its messages), for
   * `for await`: the async counterpart of `start(callback)`, like
   * `events.on` and `timers/promises`' `setInterval`. The iteration ends when
   * the watcher closes, stops (`stop()`, a one-shot timer after its event, the
   * loop's `destroy()`), or `break` leaves the loop, which stops the watcher.
   *
   * Up to `highWaterMark` events (default 1024) wait for the consumer; then
   * the watcher is paused (stopped in libev) until half of them were taken:
   * events in between are not seen (an Io's readiness shows again, a timer
   * restarts its schedule from the resume, signals and sends coalesce). Useful
   * on an attached loop; in a blocking `run()` the consumer runs after `run()`
   * returns.
   *
   * @param options - `signal`: aborting ends the iteration with an
   *   `AbortError` and stops the watcher; `highWaterMark`: an integer ≥ 1.
   * @throws `EvError` `ERR_EVKIT_ITERATING` when the watcher is iterated already.
   * @throws `TypeError` / `RangeError` for bad options; `WatcherClosedError`, `LoopDestroyedError`.
   *
   * @example
   * ```ts
   * import { Loop } from '@evkit/loop';
   * import { Timer } from '@evkit/timer';
   *
   * const loop = new Loop().attach();
   * let ticks = 0;
   * for await (const revents of new Timer(loop, 0.01, 0.01)) {
   *   if (++ticks === 3) break; // stops the timer
   * }
   * loop.detach();
   * ```
   */
  iterate(options?: IterateOptions): AsyncIterableIterator<IterationValueOf<this>> {
    this.#usable();
    const opts = checkOptions('options', options);
    if (opts.signal !== undefined) checkAbortSignal('options.signal', opts.signal);
    const highWaterMark = opts.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    checkInteger('options.highWaterMark', highWaterMark, 1, 0x7fffffff);
    if (this.#flags & FLAG_ITERATED) {
      throw new EvError(`this ${this.#name} watcher is iterated already; break out of that loop first`, 'ERR_EVKIT_ITERATING');
    }
    const signal = opts.signal as AbortSignal | undefined;
    const queue = new EventQueue<IterationValueOf<this>>(
      {
        pauseIteration: () => this.#pauseIteration(),
        resumeIteration: () => this.#resumeIteration(),
        endIteration: () => this.#endIteration(),
        keepUnread: (values) => this.keepUnread(values),
      },
      { signal, highWaterMark },
    );
    if (signal?.aborted) return queue; // ends at once with an AbortError
    this.#flags |= FLAG_ITERATED;
    iterations.set(this, queue as EventQueue<unknown>);
    this.#loopState.iterations.add(queue);
    try {
      this.start(iterationCallback as WatcherCallbackOf<this, A>, ...([] as unknown as A));
    } catch (error) {
      this.#endIteration();
      throw error;
    }
    return queue;
  }

  /** `for await (const revents of watcher)`: `iterate()` with its defaults. */
  [Symbol.asyncIterator](): AsyncIterableIterator<IterationValueOf<this>> {
    return this.iterate();
  }

  #pauseIteration(): void {
    if (this.#id === 0) return;
    binding.watcherStop(this.#id);
    this.#sync();
  }

  #resumeIteration(): void {
    if (this.closed || !(this.#flags & FLAG_ITERATED)) return;
    try {
      this.start(iterationCallback as WatcherCallbackOf<this, A>, ...([] as unknown as A));
    } catch (error) {
      this.#loopState.report(error, this);
      this.#endIteration();
    }
  }

  /** The iteration is over (the queue's end, stop, close): stop watching, once. */
  #endIteration(): void {
    if (!(this.#flags & FLAG_ITERATED)) return;
    this.#flags &= ~FLAG_ITERATED;
    const queue = iterations.get(this);
    iterations.delete(this);
    if (queue === undefined) return;
    this.#loopState.iterations.delete(queue);
    queue.end();
    if (!this.closed && this.#callback === iterationCallback) this.stop();
  }

  /** What `util.inspect` shows after the kind's name: its settings, as `name=value`. */
  protected inspectSettings(): string[] {
    return [];
  }

  /** What `util.inspect` shows: the kind, its settings and state, e.g. `<Timer after=1 repeat=0 remaining=0.998 active>`. */
  [inspect.custom](): string {
    const flags: string[] = [];
    if (this.#loopState.destroyed) flags.push('loop destroyed');
    else if (this.#flags & FLAG_CLOSED) flags.push('closed');
    else {
      flags.push(...this.inspectSettings());
      const bits = this.#bits();
      if (bits & STATE_ACTIVE) flags.push('active');
      if (bits & (STATE_PENDING | STATE_QUEUED)) flags.push('pending');
      if (this.priority !== 0) flags.push(`priority=${this.priority}`);
      if (this.#flags & FLAG_UNREF) flags.push('unref');
    }
    return `<${this.#name}${flags.length ? ' ' + flags.join(' ') : ''}>`;
  }
}
