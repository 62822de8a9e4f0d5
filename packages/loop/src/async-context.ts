import { AsyncResource } from 'node:async_hooks';

/**
 * The async context (AsyncLocalStorage stores) current when a watcher is
 * started or a callback queued on an attached loop, so the callback runs in
 * it, as Node's timers do: `context.runInAsyncScope(fn, thisArg, ...args)`,
 * without a closure per call. An AsyncResource costs ~0.1 µs to make;
 * AsyncLocalStorage.snapshot() measured ~10 µs here.
 */
export type AsyncContext = AsyncResource;

export function captureContext(): AsyncContext {
  return new AsyncResource('evkit');
}

/**
 * A callback and its args in the async context current when it was made: one
 * object where a context beside a callback would be two (a watcher started
 * on an attached loop makes one per start()).
 */
export class ContextualCall<F, A> extends AsyncResource {
  constructor(
    readonly callback: F,
    readonly args: A,
  ) {
    super('evkit');
  }

  /** The context the callback runs in: this object. */
  get context(): AsyncContext {
    return this;
  }
}
