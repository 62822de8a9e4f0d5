// The state behind a Loop: its native handle, the runCallback queue and the
// error path. Views of one loop (`new Loop({ ptr })`) share one LoopState.
import { captureContext } from './async-context.js';
import { Callback, kRun, type CallbackFunction, type CallbackQueue } from './callback.js';
import { getSystemErrorName } from 'node:util';
import { EvError } from './errors.js';
import { Fifo } from './fifo.js';
import { BREAK_ONE, binding, kDrain, kSettle, kSyserr, type NativeLoop } from './native.js';
import type { Watcher } from './watcher.js';
import { unpinIdle } from './watcher-table.js';
import './hooks.js';

/** What threw, as `errorHandler` gets it: a watcher, a queued callback, or `null` for a libev system error. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ErrorContext = Watcher<any> | Callback<any> | null;
/** A loop's `errorHandler`: gets each error a callback threw, and the watcher or callback that threw it. */
export type ErrorHandler = (error: unknown, context: ErrorContext) => void;

/** gevent's batching: check the clock every 50 callbacks, yield after 5 ms. */
const CALLBACK_CHECK_COUNT = 50;
const CALLBACK_SLICE_MS = 5;

export class LoopState implements CallbackQueue {
  readonly native: NativeLoop;
  /** What watchers name their loop by in native calls. */
  readonly id: number;
  destroyed = false;
  /** loop.suspend() until resume(): every operation but those two and destroy() throws. */
  suspended = false;
  /**
   * What destroy() runs first, while the loop still works (Cleanup watchers):
   * by priority, highest first, then the latest added first (libev's order
   * for pending watchers). Each reports its own errors.
   */
  readonly destroyHooks = new Map<object, { priority: number; seq: number; run: () => void }>();
  #hookSeq = 0;
  #destroying = false;

  /** destroy() is running its hooks (Cleanup callbacks): the loop still works, a second destroy() waits for it. */
  get destroying(): boolean {
    return this.#destroying && !this.destroyed;
  }
  /** Async iterations of this loop's watchers (Watcher#iterate): they end when it is destroyed. */
  readonly iterations = new Set<{ end(): void }>();
  /** Mirrors native.attached(); kept here because start() reads it on every call. */
  attached = false;
  /** This is the thread's `Loop.default` (shared by its views). */
  isDefault = false;
  errorHandler: ErrorHandler | null = null;

  #queue = new Fifo<Callback>();
  #live = 0; // queued and not stopped
  #nativeQueued = false; // what native was last told
  #draining = 0;
  #errors: unknown[] = [];
  #settleWaiters: Array<() => void> = [];

  constructor(flags: number, foreignPtr?: bigint) {
    if (foreignPtr !== undefined) {
      this.native = new binding.Loop(this, flags, foreignPtr);
    } else {
      const made = binding.Loop.create(this, flags);
      // The errno ev_loop_new failed with (0: none known); Loop builds the user's error.
      if (typeof made === 'number') throw new LoopNewFailure(made);
      this.native = made;
    }
    this.id = this.native.id();
  }

  get queuedCallbacks(): number {
    return this.#live;
  }

  enqueue<A extends unknown[]>(fn: CallbackFunction<A>, args: A): Callback<A> {
    const context = this.attached ? captureContext() : undefined;
    const callback = new Callback<A>(this, fn, args, context);
    this.#queue.push(callback as Callback);
    this.#live++;
    if (!this.#nativeQueued) this.#syncNative(true);
    return callback;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  cancel(_callback: Callback<any>): void {
    this.#live--;
    if (this.#live === 0 && this.#draining === 0) {
      this.#queue.clear();
      this.#syncNative(false);
    }
  }

  /** Runs queued callbacks, FIFO, including ones queued meanwhile; returns whether some remain. */
  [kDrain](): boolean {
    this.#draining++;
    const started = performance.now();
    let ran = 0;
    const attached = this.attached;
    try {
      // A detach() from one of these callbacks ends the pass: the rest waits for the next run() or attach().
      while (this.#queue.size > 0 && !this.destroyed && this.attached === attached) {
        const callback = this.#queue.shift() as Callback;
        if (!callback.pending) continue;
        this.#live--;
        try {
          callback[kRun]();
        } catch (error) {
          this.report(error, callback);
        }
        if (++ran % CALLBACK_CHECK_COUNT === 0 && performance.now() - started >= CALLBACK_SLICE_MS) break;
      }
    } finally {
      this.#draining--;
    }
    const more = this.#live > 0;
    if (!more) this.#syncNative(false);
    return more;
  }

  #syncNative(queued: boolean): void {
    if (this.#nativeQueued === queued || this.destroyed) return;
    this.#nativeQueued = queued;
    this.native.setCallbacksQueued(queued);
  }

  /**
   * The one error path for everything a callback throws: the error handler if
   * there is one and it does not throw itself; otherwise the error is kept for
   * `run()` to rethrow and the loop breaks after the current batch.
   */
  report(error: unknown, context: ErrorContext): void {
    const handler = this.errorHandler;
    if (handler !== null) {
      try {
        handler(error, context);
        return;
      } catch {
        // A handler that throws counts as no handler: the original error surfaces.
      }
    }
    if (this.attached || this.#reportsToNode()) {
      // As Node reports a throwing timer callback: 'uncaughtException', and
      // exit code 1 when nobody listens. The loop itself is unaffected.
      process.nextTick(rethrow, error);
      return;
    }
    this.#errors.push(error);
    if (!this.destroyed) this.native.break(BREAK_ONE);
  }

  takeErrors(): unknown[] {
    const errors = this.#errors;
    this.#errors = [];
    return errors;
  }

  attach(): void {
    if (this.attached) return;
    const failure = this.native.attach();
    if (failure !== null) throw new EvError(failure, 'ERR_EVKIT_ATTACH');
    this.attached = true;
  }

  /**
   * A callback delivered by Node's loop that detached or destroyed its own
   * loop: its errors (and those of its promise continuations) still go where
   * Node reports them, as no run() is on the stack to rethrow them.
   */
  #leftInDelivery = false;

  #noteLeaving(): void {
    if (!this.attached || !this.native.inCallback() || this.#leftInDelivery) return;
    this.#leftInDelivery = true;
    setImmediate(() => (this.#leftInDelivery = false)).unref();
  }

  #reportsToNode(): boolean {
    return this.#leftInDelivery && (this.destroyed || this.native.depth() === 0);
  }

  detach(): void {
    if (!this.attached) return;
    this.#noteLeaving();
    this.native.detach();
    this.attached = false;
    this.settle();
  }

  /** Resolves once nothing keeps the attached loop alive, or settle() is called (break()). */
  whenSettled(): Promise<void> {
    return new Promise((resolve) => {
      this.#settleWaiters.push(resolve);
      this.native.setWantSettle(true);
    });
  }

  settle(): void {
    const waiters = this.#settleWaiters;
    if (waiters.length === 0) return;
    this.#settleWaiters = [];
    if (!this.destroyed) this.native.setWantSettle(false);
    for (const resolve of waiters) resolve();
  }

  [kSettle](): void {
    this.settle();
  }

  /** A system error from libev (a failing backend) is reported like a callback error. */
  reportSyserr(message: string, errno: number): void {
    if (this.destroyed) return;
    const syscall = message.replace(/^\(libev\)\s*/, '');
    const name = errno > 0 ? getSystemErrorName(-errno) : 'unknown error';
    this.report(new EvError(`${message}: ${name}`, 'ERR_EVKIT_SYSERR', { errno, syscall }), null);
  }

  /** An attached loop's thread stopped on a system error: report it, and the loop is detached. */
  [kSyserr](message: string, errno: number): void {
    this.reportSyserr(message, errno);
    this.detach();
  }

  addDestroyHook(key: object, priority: number, run: () => void): void {
    this.destroyHooks.set(key, { priority, seq: this.#hookSeq++, run });
  }

  destroy(): void {
    if (this.destroyed || this.#destroying) return;
    this.#destroying = true;
    if (this.suspended) {
      // libev allows ev_resume only: resume (re-attaching), then destroy as usual.
      this.suspended = false;
      this.native.resume();
    }
    const hooks = [...this.destroyHooks.values()].sort((a, b) => b.priority - a.priority || b.seq - a.seq);
    this.destroyHooks.clear();
    const before = this.#errors.length;
    for (const hook of hooks) hook.run();
    // What cleanup callbacks threw with no errorHandler: destroy() throws it (no run() will);
    // what other callbacks threw before stays for run() to rethrow.
    const hookErrors = this.#errors.splice(before);
    this.#noteLeaving();
    for (const callback of this.#queue.drainAll()) callback.stop();
    this.destroyed = true;
    this.#live = 0;
    this.attached = false;
    this.native.destroy();
    unpinIdle();
    for (const iteration of this.iterations) iteration.end();
    this.settle();
    if (hookErrors.length === 1) throw hookErrors[0];
    if (hookErrors.length > 1) throw new AggregateError(hookErrors, `${hookErrors.length} cleanup callbacks threw`);
  }
}

/** ev_loop_new failed; `errno` is 0 when libev gave no reason. Loop turns it into an EvError. */
export class LoopNewFailure {
  constructor(readonly errno: number) {}
}

function rethrow(error: unknown): never {
  throw error;
}
