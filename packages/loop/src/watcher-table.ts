// The JS half of core-native's watcher table: a native watcher is an id, its
// state is a byte JS reads without a call, and what keeps an active or
// pending watcher alive is its entry in `owners` (its "pin").
//
// Memory model: native code writes the state bytes only on this thread (after
// each call, and when it hands a batch of events to JS); an attached loop's
// thread never does. So they show the JS thread's view: a one-shot the loop
// thread expired reads active until its event is delivered.
import {
  STATUS_LOOP_GONE,
  STATUS_TOO_MANY,
  WATCHER_ACTIVE as STATE_ACTIVE,
  WATCHER_PENDING as STATE_PENDING,
  WATCHER_QUEUED as STATE_QUEUED,
} from '@evkit/core-native/binding';
import { binding } from './native.js';

// STATE_QUEUED: in the batch being delivered; cleared as its entry is delivered (or stopped).
export { STATE_ACTIVE, STATE_PENDING, STATE_QUEUED, STATUS_LOOP_GONE, STATUS_TOO_MANY };

/** Ids are a slot index plus the slot's generation times this. */
const INDEX_SPAN = 4194304;

/** The slot of a (non-zero) id: integer arithmetic V8 keeps off the FPU's slow modulo. */
export function indexOf(id: number): number {
  return id - Math.floor(id / INDEX_SPAN) * INDEX_SPAN;
}

/** One byte per slot (STATE_*), shared with native code. */
export const state: Uint8Array = binding.watcherState();


// Shared by every copy of @evkit/loop in the process (they share the binding).
const kOwners = Symbol.for('evkit.watcher.owners');
const holder = binding as unknown as { [kOwners]?: Array<object | undefined> };
/** The owner of each slot whose watcher is active or pending: what keeps it alive. */
export const owners: Array<object | undefined> = (holder[kOwners] ??= []);

/** After a loop's destroy(): its watchers' bytes are 0, and nothing may stay pinned by them. */
export function unpinIdle(): void {
  for (let i = 0; i < owners.length; i++) {
    if (owners[i] !== undefined && state[i] === 0) owners[i] = undefined;
  }
}
