import { MAX_TIME } from '@evkit/loop';
import { checkTime } from '@evkit/loop/internal';

/** Seconds from -MAX_TIME to MAX_TIME; negative values mean "already due". */
export function checkSeconds(name: string, value: unknown): asserts value is number {
  checkTime(name, value, -MAX_TIME);
}

/** Seconds from 0 (no repetition) to MAX_TIME (libev asserts on a negative repeat). */
export function checkInterval(name: string, value: unknown): asserts value is number {
  checkTime(name, value, 0);
}
