import { WatcherKind, binding } from '@evkit/core-native/binding';
import { Watcher, type Loop, type NativeKind, type WatcherOptions } from '@evkit/loop';
import { senderFor, type AsyncSender } from './sender.js';

/** The options of `new Async()`: `ref` and `priority`, as every watcher's. */
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
 *
 * @example
 * ```ts
 * import { Worker } from 'node:worker_threads';
 * import { Loop } from '@evkit/loop';
 * import { Async } from '@evkit/async';
 *
 * const wakeup = new Async(Loop.default).start(function () {
 *   console.log('woken by the worker');
 *   this.close();
 * });
 * // worker.js: AsyncSender.from(workerData).send();
 * new Worker(new URL('./worker.js', import.meta.url), { workerData: wakeup.sender() });
 * ```
 */
export class Async<A extends unknown[] = unknown[]> extends Watcher<A> {
  #sender: AsyncSender | undefined;

  /**
   * Makes a stopped Async watcher (with its native half, so `sender()` works
   * before `start()`).
   *
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when `loop` is not an evkit
   *   `Loop`; `RangeError` (`ERR_OUT_OF_RANGE`) for a priority outside -2..2.
   * @throws `EvError` `ERR_EVKIT_TOO_MANY_WATCHERS` past 4,194,304 watchers in a thread.
   * @throws `LoopDestroyedError` when the loop was destroyed.
   *
   * @example
   * ```ts
   * const wakeup = new Async(loop, { ref: false }); // does not keep run() going
   * ```
   */
  constructor(loop: Loop, options?: AsyncOptions) {
    super(loop, options);
    this.adopt((loopId, flags) => binding.watcherCreate(loopId, WatcherKind.Async, flags, 0, 0));
  }

  /** An Async is a persistent kind: its native half lives from the constructor to `close()`. */
  protected override get nativeKind(): NativeKind {
    return ASYNC;
  }

  /**
   * Wakes the loop for this watcher (`ev_async_send`; an attached loop's
   * JavaScript thread directly), from the loop's own thread; other threads
   * use `sender()`. Sends before the callback runs give one callback; a send
   * to a stopped watcher is lost.
   *
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * const wakeup = new Async(loop).start(function () {
   *   console.log('sent');
   *   this.stop();
   * });
   * wakeup.send();
   * wakeup.send(); // coalesces with the first
   * loop.run(); // prints "sent" once
   * ```
   */
  send(): void {
    binding.asyncNotify(this.nativeId());
  }

  /**
   * Whether a send is waiting for the callback (`ev_async_pending`): true
   * after `send()`, false again once the callback is running. Always false on
   * a stopped watcher, whose sends are lost.
   *
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   */
  get sent(): boolean {
    return binding.asyncSent(this.nativeId());
  }

  /**
   * A plain-data handle to wake this watcher from any thread: pass it through
   * `postMessage` or `workerData`, then call `AsyncSender.from(value).send()`
   * there. It stops working (returns false) once this watcher is closed or
   * collected or its loop is destroyed. The same sender is returned each time.
   *
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * import { Worker } from 'node:worker_threads';
   *
   * const worker = new Worker(new URL('./worker.js', import.meta.url), {
   *   workerData: { wake: wakeup.sender() },
   * });
   * worker.postMessage(wakeup.sender()); // plain data: structured clone keeps it
   * ```
   */
  sender(): AsyncSender {
    const id = this.nativeId();
    return (this.#sender ??= senderFor(binding.asyncSenderId(id)));
  }
}
