import { binding } from '@evkit/core-native/binding';
import type { Loop, WatcherCallback, WatcherCallbackOf } from '@evkit/loop';
import { checkInteger, checkOptions, kMessageFirst } from '@evkit/loop/internal';
import { Async, type AsyncOptions } from './async.js';
import { post, postBatch, requireMessages } from './messages.js';
import type { AsyncSender } from './sender.js';
import { decode, readU32 } from './wire.js';

/** The options of `new AsyncMailbox()`: those of `Async`, and `limit`. */
export interface AsyncMailboxOptions extends AsyncOptions {
  /**
   * How many messages may wait for the callback, 1 to 2^32 - 1 (default
   * 65,536). A send to a full mailbox throws `ERR_EVKIT_MAILBOX_FULL`.
   */
  readonly limit?: number;
}

const DEFAULT_LIMIT = 65_536;
// asyncTakeMessages's entry kinds.
const NO_VALUE = 0;
const BATCH = 2;

/**
 * An `Async` that carries values: `send(value)` here or `sender().send(value)`
 * on any thread queues a copy (`node:v8` serialization, so what
 * `postMessage` can clone without transfer lists; no `SharedArrayBuffer`),
 * and the callback runs once per message, oldest first, with the message as
 * its first argument. Wake-ups coalesce (many messages, one wake-up of the
 * loop), messages never do: none is lost or reordered.
 *
 * `for await (const message of mailbox)` iterates the messages instead of a
 * callback (`iterate()`'s `highWaterMark` pauses the mailbox, which then
 * fills up to `limit`).
 *
 * The mailbox is bounded (`limit`): a send to a full one throws
 * `ERR_EVKIT_MAILBOX_FULL`, and the sender decides what to do (retry later,
 * drop, slow down). Messages sent while the watcher is stopped wait for its
 * next `start()`; `close()` drops the ones still waiting.
 *
 * @typeParam M - The type of the messages.
 * @example
 * ```ts
 * import { Worker } from 'node:worker_threads';
 * import { Loop } from '@evkit/loop';
 * import { AsyncMailbox } from '@evkit/async';
 *
 * const results = new AsyncMailbox<{ n: number; fib: number }>(Loop.default).start(function (result) {
 *   console.log(`fib(${result.n}) = ${result.fib}`);
 *   this.close();
 * });
 * // worker.js: AsyncSender.from(workerData).send({ n: 30, fib: 832040 });
 * new Worker(new URL('./worker.js', import.meta.url), { workerData: results.sender() });
 * ```
 */
export class AsyncMailbox<M = unknown, A extends unknown[] = unknown[]> extends Async<A> {
  /** Type-level: the callback gets a message of type `M` first. */
  declare readonly [kMessageFirst]?: {
    /** The type of the messages. */
    message: M;
  };
  /** Messages taken from the native mailbox; the callback has had those before #next. */
  #inbox: unknown[] = [];
  #next = 0;

  /**
   * Makes a stopped mailbox watcher (with its native half and mailbox).
   *
   * @throws `TypeError` / `RangeError` for a bad option (`limit`: an integer
   *   from 1 to 2^32 - 1), or as `new Async()` does.
   * @throws `EvError` `ERR_EVKIT_ABI` when `@evkit/core-native` is too old for messages.
   *
   * @example
   * ```ts
   * const inbox = new AsyncMailbox<string>(loop, { limit: 1000 });
   * ```
   */
  constructor(loop: Loop, options?: AsyncMailboxOptions) {
    const limit = checkOptions('options', options).limit ?? DEFAULT_LIMIT;
    checkInteger('options.limit', limit, 1, 0xffffffff);
    requireMessages();
    super(loop, options);
    binding.asyncUseMailbox(this.nativeId(), limit, inbound, pretaken);
  }

  /**
   * Queues a copy of `value` for the callback (without a value, a message of
   * `undefined`), from the loop's own thread; other threads use `sender()`.
   *
   * @throws `EvError` `ERR_EVKIT_MAILBOX_FULL` when `limit` messages wait.
   * @throws `RangeError` (`ERR_INVALID_ARG_VALUE`) for a value `node:v8` cannot serialize (a function, a symbol).
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * inbox.send('hello');
   * ```
   */
  override send(...value: [] | [M]): void {
    post(this.sender().id, value);
  }

  /**
   * Queues every element of `values` as its own message, in order, all or
   * none: one serialization for the lot, which is what makes a burst cheap
   * (each `send()` pays for its own). Elements that are the same object stay
   * the same object on the other side, as within one message.
   *
   * @throws `EvError` `ERR_EVKIT_MAILBOX_FULL` when fewer than `values.length` messages fit.
   * @throws `TypeError` when `values` is not an array; `RangeError`
   *   (`ERR_INVALID_ARG_VALUE`) for an element `node:v8` cannot serialize.
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * inbox.sendBatch(['a', 'b', 'c']); // three callbacks, in order
   * ```
   */
  sendBatch(values: readonly M[]): void {
    postBatch(this.sender().id, values);
  }

  /**
   * Starts the watcher as `Async#start()` does; messages sent meanwhile are
   * delivered, from the oldest.
   *
   * @throws As `Watcher#start()`.
   *
   * @example
   * ```ts
   * inbox.start((message) => console.log('got', message));
   * ```
   */
  override start<B extends A>(callback: WatcherCallbackOf<this, B>, ...args: B): this {
    super.start(callback, ...args);
    // Taken before a stop, not delivered yet: the native side cannot know.
    if (this.#next < this.#inbox.length) binding.asyncNotify(this.nativeId());
    return this;
  }

  /**
   * A plain-data handle to send messages to this mailbox from any thread:
   * `AsyncSender.from<M>(value).send(message)` there.
   *
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   */
  override sender(): AsyncSender<M> {
    // Async's, which checks the watcher first; only its message type is this mailbox's.
    return super.sender() as AsyncSender<M>;
  }

  /** Iterated (`for await`): every waiting message goes to the iteration, oldest first. */
  protected override pushIteration(queue: { push(value: unknown): void } | undefined, _revents: number): void {
    if (queue === undefined) return;
    this.#take();
    const inbox = this.#inbox;
    for (let i = this.#next; i < inbox.length; i++) queue.push(inbox[i]);
    this.#inbox = [];
    this.#next = 0;
  }

  /** Messages a `break` left unread come first at the next delivery. */
  protected override keepUnread(values: unknown[]): void {
    this.#inbox = values.concat(this.#inbox.slice(this.#next));
    this.#next = 0;
  }

  #take(): void {
    const id = this.nativeId();
    if (pretaken[0] === id) {
      // An attached delivery took them for this callback already.
      pretaken[0] = 0;
      unpack(inbound, pretaken[1]!, this.#inbox);
      return;
    }
    const taken = binding.asyncTakeMessages(id, inbound);
    if (taken === undefined) return;
    if (typeof taken === 'number') unpack(inbound, taken, this.#inbox);
    else unpack(taken, taken.length, this.#inbox);
  }

  /** Delivers every waiting message, oldest first, while the watcher stays started. */
  protected override fire(callback: WatcherCallback<A>, args: A, _revents: number): void {
    this.#take();
    const call = callback as unknown as (this: this, message: unknown, ...args: A) => unknown;
    try {
      while (this.#next < this.#inbox.length && !this.closed && this.active) {
        const message = this.#inbox[this.#next++];
        // Without arguments, no spread (which allocates before the code is optimised).
        if (args.length === 0) (call as unknown as (this: this, message: unknown) => unknown).call(this, message);
        else call.call(this, message, ...args);
      }
    } finally {
      if (this.#next === this.#inbox.length || this.closed) {
        // Emptied in place: the next wake-up reuses the array.
        this.#inbox.length = 0;
        this.#next = 0;
      } else if (this.active) {
        // A callback threw: the rest waits for the next wake-up, which it asks for.
        binding.asyncNotify(this.nativeId());
      }
    }
  }
}

// Where asyncTakeMessages writes what fits (a bigger take gets its own
// buffer): one allocation per process instead of one per wake-up. Every
// message is decoded out of it before the callbacks run.
const inbound = Buffer.allocUnsafe(16 * 1024);
// [watcher id, byte count]: what an attached delivery wrote into `inbound`
// for that watcher's callback (see asyncUseMailbox); id 0 once taken.
const pretaken = new Float64Array(2);

// asyncTakeMessages's layout (see binding.ts).
function unpack(bytes: Buffer, end: number, into: unknown[]): void {
  let at = 0;
  while (at < end) {
    const kind = readU32(bytes, at);
    const length = readU32(bytes, at + 4);
    at += 8;
    if (kind === NO_VALUE) {
      into.push(undefined);
      continue;
    }
    const value = decode(bytes, at, at + length);
    at += length;
    if (kind === BATCH) for (const message of value as unknown[]) into.push(message);
    else into.push(value);
  }
}
