import { Timer } from './timer.js';
import { checkSeconds } from './check.js';
import { AbortError, abortError, checkPromiseOptions, type PromiseOptions } from '@evkit/loop/internal';

export type SleepOptions = PromiseOptions;

export { AbortError };

/** Resolves after `seconds` on `loop`'s clock (an unref'd loop or timer does not wait). */
export function sleep(seconds: number, options: SleepOptions = {}): Promise<void> {
  let checked: ReturnType<typeof checkPromiseOptions>;
  try {
    checkSeconds('seconds', seconds);
    checked = checkPromiseOptions(options);
  } catch (error) {
    return Promise.reject(error);
  }
  const { signal } = checked;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const loop = checked.loop();
  return new Promise<void>((resolve, reject) => {
    const timer = new Timer(loop, seconds);
    const onAbort = () => {
      timer.close();
      reject(abortError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    timer.start(() => {
      signal?.removeEventListener('abort', onAbort);
      timer.close();
      resolve();
    });
  });
}
