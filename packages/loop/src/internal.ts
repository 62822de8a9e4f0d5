// For evkit's watcher packages, not applications: the argument checks every
// package shares, so all of evkit words its errors the same way, and the
// native handle of a loop for module-level native calls.
import { LoopDestroyedError } from './errors.js';
import { loopState } from './loop.js';
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
 * The native handle of a live loop, for a watcher package's module-level
 * native calls (io's `closingFd`). Views of one loop share one handle.
 */
export function nativeLoopOf(loop: unknown): NativeLoop {
  checkLoop('loop', loop);
  if (loop.destroyed) throw new LoopDestroyedError();
  return loopState(loop).native;
}
export { AbortError, abortError, checkPromiseOptions, watchOnce, type PromiseOptions } from './promise-options.js';
export { checkLoop } from './loop-check.js';
export { kReventsFirst } from './watcher.js';
