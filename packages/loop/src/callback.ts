import { inspect } from 'node:util';
import type { AsyncContext } from './async-context.js';

/** What a `Callback` needs from its loop. */
export interface CallbackQueue {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  cancel(callback: Callback<any>): void;
}

/** A function `loop.runCallback()` queues: it gets the args given there, and its result is ignored. */
export type CallbackFunction<A extends unknown[]> = (...args: A) => unknown;

/** Runs a queued callback; package-internal (not exported from the index). */
export const kRun = Symbol('evkit.callback.run');

/**
 * A function queued with `loop.runCallback()` (gevent's `callback`). It runs
 * once, in FIFO order, before the loop next blocks; until then it keeps the
 * loop alive. `loop.runCallback()` makes these; there is no public constructor.
 *
 * @example
 * ```ts
 * import { Loop } from '@evkit/loop';
 *
 * const loop = new Loop();
 * const first = loop.runCallback((name: string) => console.log('hello', name), 'evkit');
 * const second = loop.runCallback(() => console.log('never printed'));
 * second.stop();
 * console.log(first.pending, second.pending); // true false
 * loop.run(); // prints "hello evkit"
 * ```
 */
export class Callback<A extends unknown[] = unknown[]> {
  #queue: CallbackQueue;
  #callback: CallbackFunction<A> | null;
  #args: A | null;
  #context: AsyncContext | undefined;

  /**
   * Made by `loop.runCallback()`.
   *
   * @internal
   */
  constructor(queue: CallbackQueue, callback: CallbackFunction<A>, args: A, context?: AsyncContext) {
    this.#queue = queue;
    this.#callback = callback;
    this.#args = args;
    this.#context = context;
  }

  /** True until it has started running or was stopped: whether it will still run. */
  get pending(): boolean {
    return this.#callback !== null;
  }

  /** The queued function; `null` once it has started running or was stopped. */
  get callback(): CallbackFunction<A> | null {
    return this.#callback;
  }

  /** The arguments it runs with; `null` once it has run or was stopped. */
  get args(): A | null {
    return this.#args;
  }

  /**
   * Unqueues it: it will never run, and no longer keeps the loop alive.
   * Idempotent; does nothing once it has started running.
   *
   * @example
   * ```ts
   * const callback = loop.runCallback(() => console.log('too late'));
   * callback.stop();
   * loop.run(); // prints nothing
   * ```
   */
  stop(): void {
    if (this.#callback === null) return;
    this.#callback = null;
    this.#args = null;
    this.#context = undefined;
    this.#queue.cancel(this);
  }

  /**
   * The same as `stop()`, for code written against gevent's `close()`.
   *
   * @example
   * ```ts
   * loop.runCallback(() => {}).close();
   * ```
   */
  close(): void {
    this.stop();
  }

  /** For `using`: `stop()` when the scope ends. */
  [Symbol.dispose](): void {
    this.stop();
  }

  /** Runs it (the loop's drain calls this). Like gevent: `callback` is cleared before the call, `args` after it. */
  [kRun](): void {
    const fn = this.#callback;
    if (fn === null) return;
    this.#callback = null;
    const args = this.#args as A;
    const context = this.#context;
    this.#context = undefined;
    try {
      if (context !== undefined) context.runInAsyncScope(fn, undefined, ...args);
      else if (args.length === 0) (fn as () => unknown)();
      else fn(...args);
    } finally {
      this.#args = null;
    }
  }

  /** What `util.inspect` shows: `<Callback pending name>` or `<Callback stopped>`. */
  [inspect.custom](): string {
    const name = this.#callback?.name || (this.#callback ? 'anonymous' : '');
    return this.#callback ? `<Callback pending ${name}>` : '<Callback stopped>';
  }
}
