import { EvError, argTypeError } from './errors.js';
import { Loop } from './loop.js';
import { OWN_PACKAGE_DIR, duplicateSummary, foreignLoopCopy } from './package-copies.js';
import { describe } from './validate.js';

/** Throws unless `value` is a Loop of this copy of @evkit/loop; `name` is the argument's name. */
export function checkLoop(name: string, value: unknown): asserts value is Loop {
  if (value instanceof Loop) return;
  const other = foreignLoopCopy(value);
  if (other !== undefined) {
    throw new EvError(
      `${name} is a Loop from another copy of @evkit/loop.\n${duplicateSummary([other, OWN_PACKAGE_DIR])}`,
      'ERR_EVKIT_DUPLICATE',
    );
  }
  throw argTypeError(`${name} must be an evkit Loop, got ${describe(value)}`);
}
