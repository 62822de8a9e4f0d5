// Argument checks shared by the loop and every watcher package. Each error
// names the argument and what is allowed.
import { argTypeError, outOfRangeError } from './errors.js';
import { MAX_TIME, MAXPRI, MINPRI } from './constants.js';

/** A value as error messages show it: strings quoted, objects by kind, never their contents. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** A function (a callback); `name` is the argument's name for the message. */
export function checkFunction(name: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') {
    throw argTypeError(`${name} must be a function, got ${describe(value)}`);
  }
}

/** A boolean (an option such as `ref`). */
export function checkBoolean(name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') {
    throw argTypeError(`${name} must be a boolean, got ${describe(value)}`);
  }
}

/** A non-null object. */
export function checkObject(name: string, value: unknown): asserts value is object {
  if (value === null || typeof value !== 'object') {
    throw argTypeError(`${name} must be an object, got ${describe(value)}`);
  }
}

/** A finite number (seconds and the like). */
export function checkFinite(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw argTypeError(`${name} must be a number, got ${describe(value)}`);
  if (!Number.isFinite(value)) throw outOfRangeError(`${name} must be a finite number, got ${describe(value)}`);
}

/**
 * A time argument in seconds, from `min` to `MAX_TIME`: beyond it libev's
 * arithmetic loses the value (a timer fires at once, a periodic spins).
 */
export function checkTime(name: string, value: unknown, min: number): asserts value is number {
  checkFinite(name, value);
  if (value < min || value > MAX_TIME) {
    throw outOfRangeError(`${name} must be a number of seconds from ${min} to ${MAX_TIME} (MAX_TIME), got ${value}`);
  }
}

/** An integer from `min` to `max`: TypeError for a non-number, RangeError otherwise. */
export function checkInteger(name: string, value: unknown, min: number, max: number): asserts value is number {
  if (typeof value !== 'number') throw argTypeError(`${name} must be an integer, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw outOfRangeError(`${name} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
}

/** A watcher priority: an integer from MINPRI to MAXPRI. */
export function checkPriority(value: unknown): asserts value is number {
  checkInteger('priority', value, MINPRI, MAXPRI);
}

/** An options argument: `undefined` gives `{}`, anything but an object throws. */
export function checkOptions(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  checkObject(name, value);
  return value as Record<string, unknown>;
}

export { describe };
