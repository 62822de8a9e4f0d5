// For evkit's watcher packages, not applications: the argument checks every
// package shares, so all of evkit words its errors the same way, and the
// native handle of a loop for module-level native calls.
import { LoopDestroyedError, suspendedError } from './errors.js';
import { loopState, type Loop } from './loop.js';
import type { ErrorContext } from './loop-state.js';
import { checkLoop } from './loop-check.js';
import type { NativeLoop } from './native.js';

export { argTypeError, argValueError, noCallbackError, outOfRangeError } from './errors.js';
export {
  checkBoolean,
  checkFinite,
  checkFunction,
  checkInteger,
  checkObject,
  checkOptions,
  checkPriority,
  checkTime,
  describe,
} from './validate.js';

/**
 * For kinds that act when their loop is destroyed (Cleanup): `run` is called
 * by `loop.destroy()` before anything is torn down, in libev's order (priority,
 * then latest first); `remove` takes it back.
 */
export const destroyHooks = {
  add(loop: Loop, key: object, priority: number, run: () => void): void {
    loopState(loop).addDestroyHook(key, priority, run);
  },
  remove(loop: Loop, key: object): void {
    loopState(loop).destroyHooks.delete(key);
  },
};

/** Reports `error` from `context` as a callback error of `loop` (its errorHandler, else as the run mode does). */
export function reportError(loop: Loop, error: unknown, context: object): void {
  loopState(loop).report(error, context as ErrorContext);
}

/**
 * The native handle of a live loop, for a watcher package's module-level
 * native calls (io's `closingFd`). Views of one loop share one handle.
 */
export function nativeLoopOf(loop: unknown): NativeLoop {
  checkLoop('loop', loop);
  if (loop.destroyed) throw new LoopDestroyedError();
  const state = loopState(loop);
  if (state.suspended) throw suspendedError();
  return state.native;
}
export { AbortError, abortError, checkPromiseOptions, watchOnce, type PromiseOptions } from './promise-options.js';
export { checkLoop } from './loop-check.js';
export { kMessageFirst, kReventsFirst } from './watcher.js';
