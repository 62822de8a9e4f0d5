// Watchers that an AbortSignal closes (the `signal` option of every watcher
// constructor). The abort listener holds its watcher weakly, so a dropped
// watcher is still collected, and the listener leaves the signal when the
// watcher closes or is collected: a long-lived signal does not accumulate them.
import { addAbortListener } from 'node:events';
import { argTypeError } from './errors.js';
import { describe } from './validate.js';

interface Closable {
  close(): void;
}

const listeners = new WeakMap<Closable, Disposable>();
const collected = new FinalizationRegistry<Disposable>((listener) => listener[Symbol.dispose]());

/** An AbortSignal, told apart as Node's own APIs do (any object with `aborted`). */
export function checkAbortSignal(name: string, value: unknown): asserts value is AbortSignal {
  if (value === null || typeof value !== 'object' || !('aborted' in value)) {
    throw argTypeError(`${name} must be an AbortSignal, got ${describe(value)}`);
  }
}

/** Closes `target` when `signal` aborts (the caller handles a signal that already has). */
export function closeOnAbort(target: Closable, signal: AbortSignal): void {
  const weak = new WeakRef(target);
  const listener = addAbortListener(signal, () => weak.deref()?.close());
  listeners.set(target, listener);
  collected.register(target, listener, target);
}

/** `target` closed: its listener leaves the signal. */
export function forgetAbort(target: Closable): void {
  const listener = listeners.get(target);
  if (listener === undefined) return;
  listeners.delete(target);
  collected.unregister(target);
  listener[Symbol.dispose]();
}
