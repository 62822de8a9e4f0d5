// The binding as @evkit/loop uses it: checked for ABI compatibility, with the
// per-thread hooks native code calls back into installed.
import { isMainThread } from 'node:worker_threads';
import { binding } from '@evkit/core-native/binding';
import { EvError } from './errors.js';

export type { NativeLoop, NativeWatcher } from '@evkit/core-native/binding';
export { binding };

/** The binding ABI major this package speaks. */
const REQUIRED_ABI_MAJOR = 1;

if (binding.abi.major !== REQUIRED_ABI_MAJOR) {
  throw new EvError(
    `@evkit/loop needs @evkit/core-native ABI ${REQUIRED_ABI_MAJOR}.x but found ` +
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

interface Invokable {
  [kInvoke](revents: number, active: boolean): void;
}
interface Drainable {
  [kDrain](): boolean;
  [kSettle](): void;
  [kSyserr](message: string, errno: number): void;
}

binding.setHooks({
  dispatch(this: object, revents: number, active: boolean): void {
    (this as Invokable)[kInvoke](revents, active);
  },
  drain(this: object): boolean {
    return (this as Drainable)[kDrain]();
  },
  heartbeat(): void {},
  settle(this: object): void {
    (this as Drainable)[kSettle]();
  },
  syserr(this: object, message: string, errno: number): void {
    (this as Drainable)[kSyserr](message, errno);
  },
  isMainThread,
});

export const BREAK_CANCEL = 0;
export const BREAK_ONE = 1;
export const BREAK_ALL = 2;
export const RUN_NOWAIT = 1;
export const RUN_ONCE = 2;
