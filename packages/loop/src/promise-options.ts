// What evkit's promise helpers (sleep, readable, writable) share: the
// `{ loop, signal }` options and the AbortError they reject with.
import { checkAbortSignal } from './abort.js';
import { argTypeError } from './errors.js';
import { Loop } from './loop.js';
import { checkLoop } from './loop-check.js';
import { describe } from './validate.js';

/** The options of evkit's one-shot promises: `sleep()`, `readable()`, `writable()`. */
export interface PromiseOptions {
  /** The loop to wait on; `Loop.default` (attached) when omitted. */
  loop?: Loop;
  /** Aborting it rejects the promise with an `AbortError` and closes the watcher. */
  signal?: AbortSignal;
}

/**
 * How an aborted `sleep()`, `readable()` or `writable()` rejects, like
 * `timers/promises`' rejection: `name` "AbortError", `code` "ABORT_ERR", the
 * signal's reason as `cause`. `@evkit/timer` and `@evkit/io` export the same
 * class.
 *
 * @example
 * ```ts
 * import { AbortError, sleep } from '@evkit/timer';
 *
 * const controller = new AbortController();
 * setTimeout(() => controller.abort('changed my mind'), 100);
 * try {
 *   await sleep(10, { signal: controller.signal });
 * } catch (error) {
 *   if (!(error instanceof AbortError)) throw error;
 *   console.log(error.cause); // "changed my mind"
 * }
 * ```
 */
export class AbortError extends Error {
  /** Always `"ABORT_ERR"`, as Node's own AbortError. */
  readonly code = 'ABORT_ERR';

  /**
   * evkit makes these; applications only catch them.
   *
   * @param options - `cause`: the signal's reason.
   */
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

/** The rejection for an aborted signal. */
export function abortError(signal: AbortSignal | undefined): AbortError {
  return new AbortError(undefined, { cause: signal?.reason });
}

/** Validates `{ loop, signal }`; returns them with the loop resolved (`Loop.default` when omitted). */
export function checkPromiseOptions(options: unknown): { loop: () => Loop; signal: AbortSignal | undefined } {
  if (options === null || typeof options !== 'object') {
    throw argTypeError(`options must be an object, got ${describe(options)}`);
  }
  const { loop, signal } = options as PromiseOptions;
  if (loop !== undefined) checkLoop('options.loop', loop);
  if (signal !== undefined) checkAbortSignal('options.signal', signal);
  return { loop: () => loop ?? Loop.default, signal };
}

/**
 * The shape of evkit's one-shot promises (sleep, readable, writable): check the
 * arguments, reject at once on an aborted signal, otherwise create a watcher on
 * the loop and start it; it settles through `settle`, or rejects with an
 * AbortError when the signal aborts. The watcher is closed either way.
 */
export function watchOnce<W extends { close(): void }>(
  options: unknown,
  check: () => void,
  create: (loop: Loop) => W,
  start: (watcher: W, settle: (error?: unknown) => void) => void,
): Promise<void> {
  let checked: ReturnType<typeof checkPromiseOptions>;
  try {
    check();
    checked = checkPromiseOptions(options);
  } catch (error) {
    return Promise.reject(error);
  }
  const { signal } = checked;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const loop = checked.loop();
  return new Promise<void>((resolve, reject) => {
    let watcher: W;
    try {
      watcher = create(loop);
    } catch (error) {
      reject(error);
      return;
    }
    let settled = false;
    const settle = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      watcher.close();
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = (): void => settle(abortError(signal));
    try {
      start(watcher, settle);
    } catch (error) {
      settle(error);
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
