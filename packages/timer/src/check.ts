import { checkFinite } from '@evkit/loop/internal';

/** A finite number of seconds; negative values mean "already due". */
export function checkSeconds(name: string, value: unknown): asserts value is number {
  checkFinite(name, value);
}

/** A finite, non-negative number of seconds (libev asserts on a negative repeat). */
export function checkInterval(name: string, value: unknown): asserts value is number {
  checkFinite(name, value);
  if (value < 0) throw new RangeError(`${name} must be >= 0 (0 means no repetition), got ${value}`);
}
