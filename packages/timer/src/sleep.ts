import { Timer } from './timer.js';
import { checkSeconds } from './check.js';
import { AbortError, watchOnce, type PromiseOptions } from '@evkit/loop/internal';

export type SleepOptions = PromiseOptions;

export { AbortError };

/** Resolves after `seconds` on `loop`'s clock (an unref'd loop or timer does not wait). */
export function sleep(seconds: number, options: SleepOptions = {}): Promise<void> {
  return watchOnce(
    options,
    () => checkSeconds('seconds', seconds),
    (loop) => new Timer(loop, seconds),
    (timer, settle) => timer.start(() => settle()),
  );
}
