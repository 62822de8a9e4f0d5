// The per-thread hooks native code calls back into, installed once.
import { isMainThread } from 'node:worker_threads';
import { binding, kDrain, kInvoke, kSettle, kSyserr } from './native.js';
import { STATE_QUEUED, indexOf, owners, state } from './watcher-table.js';

interface Invokable {
  [kInvoke](id: number, revents: number, inNativeContext?: boolean): void;
}
interface Drainable {
  [kDrain](): boolean;
  [kSettle](): void;
  [kSyserr](message: string, errno: number): void;
}

binding.setHooks({
  // Attached: one event, already taken off the batch by native code.
  dispatch(id: number, revents: number): void {
    (owners[indexOf(id)] as Invokable | undefined)?.[kInvoke](id, revents, true);
  },
  // Blocking: a batch as (id, revents) pairs from slot 1 on. An entry whose
  // watcher was stopped, closed or re-armed by an earlier callback has lost
  // its queued bit. Slot 0 turns non-zero when a callback fed a watcher:
  // libev runs that one next, so delivery stops there (native code feeds the
  // rest back). Returns how many entries were taken.
  deliver(batch: Float64Array, count: number): number {
    for (let i = 0; i < count; i++) {
      const id = batch[1 + 2 * i]!;
      const index = indexOf(id);
      const bits = state[index]!;
      if ((bits & STATE_QUEUED) === 0) continue;
      state[index] = bits & ~STATE_QUEUED;
      (owners[index] as Invokable | undefined)?.[kInvoke](id, batch[2 + 2 * i]!);
      if (batch[0] !== 0) return i + 1;
    }
    return count;
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

