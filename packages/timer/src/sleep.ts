import { Loop } from '@evkit/loop';
import { Timer } from './timer.js';
import { checkSeconds } from './check.js';
import { describe } from '@evkit/loop/internal';

export interface SleepOptions {
  /** The loop whose timer waits; `Loop.default` (attached) when omitted. */
  loop?: Loop;
  /** Aborting it rejects the promise with an `AbortError` and stops the timer. */
  signal?: AbortSignal;
}

/** Like `timers/promises`' rejection: `name` "AbortError", `code` "ABORT_ERR", the signal's reason as `cause`. */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';

  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

/** Resolves after `seconds` on `loop`'s clock (an unref'd loop or timer does not wait). */
export function sleep(seconds: number, options: SleepOptions = {}): Promise<void> {
  try {
    checkSeconds('seconds', seconds);
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`options must be an object, got ${describe(options)}`);
    }
    if (options.loop !== undefined && !(options.loop instanceof Loop)) {
      throw new TypeError(`options.loop must be an evkit Loop, got ${describe(options.loop)}`);
    }
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw new TypeError(`options.signal must be an AbortSignal, got ${describe(options.signal)}`);
    }
  } catch (error) {
    return Promise.reject(error);
  }
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
  const loop = options.loop ?? Loop.default;
  return new Promise<void>((resolve, reject) => {
    const timer = new Timer(loop, seconds);
    const onAbort = () => {
      timer.close();
      reject(new AbortError(undefined, { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    timer.start(() => {
      signal?.removeEventListener('abort', onAbort);
      timer.close();
      resolve();
    });
  });
}
