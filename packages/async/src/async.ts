import { binding, type NativeAsync } from '@evkit/core-native/binding';
import { Watcher, type Loop, type WatcherOptions } from '@evkit/loop';
import { senderFor, type AsyncSender } from './sender.js';

export type AsyncOptions = WatcherOptions;

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
    super(loop, (native, owner) => new binding.Async(native, owner), options);
  }

  /** Wakes the loop for this watcher (`ev_async_send`). */
  send(): void {
    this.native<NativeAsync>().send();
  }

  /**
   * Whether a send is waiting for the callback (`ev_async_pending`): true
   * after `send()`, false again once the callback is running. Always false on
   * a stopped watcher, whose sends are lost.
   */
  get sent(): boolean {
    return this.native<NativeAsync>().sent();
  }

  /**
   * A plain-data handle to wake this watcher from any thread: pass it through
   * `postMessage` or `workerData`, then call `AsyncSender.from(value).send()`
   * there. It stops working (returns false) once this watcher is closed or
   * collected or its loop is destroyed. The same sender is returned each time.
   */
  sender(): AsyncSender {
    const native = this.native<NativeAsync>();
    return (this.#sender ??= senderFor(native.senderId()));
  }
}
