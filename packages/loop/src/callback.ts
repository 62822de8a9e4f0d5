import { inspect } from 'node:util';
import { runInContext, type AsyncContext } from './async-context.js';

/** What a `Callback` needs from its loop. */
export interface CallbackQueue {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  cancel(callback: Callback<any>): void;
}

export type CallbackFunction<A extends unknown[]> = (...args: A) => unknown;

/** Runs a queued callback; package-internal (not exported from the index). */
export const kRun = Symbol('evkit.callback.run');

/**
 * A function queued with `loop.runCallback()` (gevent's `callback`). It runs
 * once, in FIFO order, before the loop next blocks.
 */
export class Callback<A extends unknown[] = unknown[]> {
  #queue: CallbackQueue;
  #callback: CallbackFunction<A> | null;
  #args: A | null;
  #context: AsyncContext | undefined;

  /** @internal */
  constructor(queue: CallbackQueue, callback: CallbackFunction<A>, args: A, context?: AsyncContext) {
    this.#queue = queue;
    this.#callback = callback;
    this.#args = args;
    this.#context = context;
  }

  /** True until it has started running or was stopped. */
  get pending(): boolean {
    return this.#callback !== null;
  }

  get callback(): CallbackFunction<A> | null {
    return this.#callback;
  }

  get args(): A | null {
    return this.#args;
  }

  /** Unqueues it: it will never run. Idempotent. */
  stop(): void {
    if (this.#callback === null) return;
    this.#callback = null;
    this.#args = null;
    this.#context = undefined;
    this.#queue.cancel(this);
  }

  /** Same as `stop()`. */
  close(): void {
    this.stop();
  }

  [Symbol.dispose](): void {
    this.stop();
  }

  /** Like gevent: `callback` is cleared before the call, `args` after it. */
  [kRun](): void {
    const fn = this.#callback;
    if (fn === null) return;
    this.#callback = null;
    const args = this.#args as A;
    const context = this.#context;
    this.#context = undefined;
    try {
      if (context !== undefined) runInContext(context, () => fn(...args));
      else if (args.length === 0) (fn as () => unknown)();
      else fn(...args);
    } finally {
      this.#args = null;
    }
  }

  [inspect.custom](): string {
    const name = this.#callback?.name || (this.#callback ? 'anonymous' : '');
    return this.#callback ? `<Callback pending ${name}>` : '<Callback stopped>';
  }
}
