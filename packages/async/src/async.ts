import { WatcherKind, binding } from '@evkit/core-native/binding';
import { Watcher, type Loop, type NativeKind, type WatcherOptions } from '@evkit/loop';
import { senderFor, type AsyncSender } from './sender.js';

export type AsyncOptions = WatcherOptions;

// Persistent: the sender's id outlives a stop.
const ASYNC: NativeKind = { kind: WatcherKind.Async, persistent: true };

/**
 * An `ev_async` watcher: its callback runs on the loop's thread after
 * `send()` was called, from this thread or — through `sender()` — from any
 * other one. Sends coalesce: several before the loop gets to them give one
 * callback. A send while the watcher is stopped is lost (`start()` clears it,
 * as libev does).
 *
 * An active, referenced Async keeps `run()` (and an attached loop's process)
 * alive while it waits; `{ ref: false }` or `unref()` lets them end.
 */
export class Async<A extends unknown[] = unknown[]> extends Watcher<A> {
  #sender: AsyncSender | undefined;

  constructor(loop: Loop, options?: AsyncOptions) {
    super(loop, options);
    this.adopt((loopId, flags) => binding.watcherCreate(loopId, WatcherKind.Async, flags, 0, 0));
  }

  protected override get nativeKind(): NativeKind {
    return ASYNC;
  }

  /** Wakes the loop for this watcher (`ev_async_send`). */
  send(): void {
    binding.asyncNotify(this.nativeId());
  }

  /**
   * Whether a send is waiting for the callback (`ev_async_pending`): true
   * after `send()`, false again once the callback is running. Always false on
   * a stopped watcher, whose sends are lost.
   */
  get sent(): boolean {
    return binding.asyncSent(this.nativeId());
  }

  /**
   * A plain-data handle to wake this watcher from any thread: pass it through
   * `postMessage` or `workerData`, then call `AsyncSender.from(value).send()`
   * there. It stops working (returns false) once this watcher is closed or
   * collected or its loop is destroyed. The same sender is returned each time.
   */
  sender(): AsyncSender {
    const id = this.nativeId();
    return (this.#sender ??= senderFor(binding.asyncSenderId(id)));
  }
}
