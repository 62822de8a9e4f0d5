// The binding as @evkit/loop uses it, checked for ABI compatibility (hooks.ts
// installs what native code calls back into).
import { binding } from '@evkit/core-native/binding';
import { EvError } from './errors.js';

export type { NativeLoop } from '@evkit/core-native/binding';
export { binding };

/** The binding ABI this package speaks: that major, at least that minor (1: watcherClearPending; 2: setCollectIntervals; 3: times; 4: the Cleanup kind; 5: suspend/resume). */
const REQUIRED_ABI_MAJOR = 2;
const REQUIRED_ABI_MINOR = 5;

if (binding.abi.major !== REQUIRED_ABI_MAJOR || binding.abi.minor < REQUIRED_ABI_MINOR) {
  throw new EvError(
    `@evkit/loop needs @evkit/core-native ABI ${REQUIRED_ABI_MAJOR}.${REQUIRED_ABI_MINOR} or a later ${REQUIRED_ABI_MAJOR}.x but found ` +
      `${binding.abi.major}.${binding.abi.minor}: install matching versions and rebuild`,
    'ERR_EVKIT_ABI',
  );
}

// Registered symbols, so two copies of this package in one process still
// dispatch into each other's objects.
export const kInvoke = Symbol.for('evkit.watcher.invoke');
export const kDrain = Symbol.for('evkit.loop.drain');
export const kSettle = Symbol.for('evkit.loop.settle');
export const kSyserr = Symbol.for('evkit.loop.syserr');

/**
 * Whether watcherStart/watcherRestart keep a started watcher's async context
 * natively (ABI 2.9), and watcherCallInContext makes a callback in it (2.10).
 */
export const NATIVE_CONTEXTS = binding.abi.minor >= 10;

export const BREAK_CANCEL = 0;
export const BREAK_ONE = 1;
export const BREAK_ALL = 2;
export const RUN_NOWAIT = 1;
export const RUN_ONCE = 2;
