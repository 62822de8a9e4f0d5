import { inspect } from 'node:util';
import { binding } from '@evkit/core-native/binding';
import { argTypeError, describe, outOfRangeError } from '@evkit/loop/internal';
import { post, postBatch } from './messages.js';

const TYPE = 'evkit.AsyncSender';
const PID = process.pid;
const MAX_ID = (1n << 64n) - 1n;

/**
 * What an {@link AsyncSender} is made of, and what arrives on the other side
 * of `postMessage` or `workerData` (structured clone keeps data, not classes).
 */
export interface AsyncSenderData {
  /** Marks the object as a sender's data. */
  readonly type: 'evkit.AsyncSender';
  /** Process-wide id of the Async watcher (never reused). */
  readonly id: bigint;
  /** The process the id belongs to. */
  readonly pid: number;
}

/**
 * A handle that wakes one `Async` watcher from any thread of this process.
 * Get one from `async.sender()`, hand it to a Worker as it is (it is plain
 * data), and there call `AsyncSender.from(value).send()`.
 *
 * It holds no pointer: the id is resolved in a process-wide table under a
 * mutex, so a send after the watcher or its loop is gone is a harmless
 * `false`, never a crash.
 *
 * @example
 * ```ts
 * // worker.js, started with `workerData: wakeup.sender()`
 * import { workerData } from 'node:worker_threads';
 * import { AsyncSender } from '@evkit/async';
 *
 * const sender = AsyncSender.from(workerData);
 * if (!sender.send()) console.log('the watcher is gone');
 * ```
 */
export class AsyncSender<M = unknown> implements AsyncSenderData {
  /** Always `"evkit.AsyncSender"`. */
  readonly type = TYPE;
  /** Process-wide id of the Async watcher (never reused). */
  readonly id: bigint;
  /** The process the id belongs to. */
  readonly pid: number;

  /** Use `async.sender()` or `AsyncSender.from()`. */
  private constructor(id: bigint, pid: number) {
    this.id = id;
    this.pid = pid;
    Object.freeze(this);
  }

  /**
   * Rebuilds a sender from `async.sender()`'s value after it crossed a thread
   * boundary (or returns an `AsyncSender` as it is).
   *
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when `value` is not a
   *   sender's data; `RangeError` (`ERR_OUT_OF_RANGE`) when its `id` or `pid`
   *   is out of range.
   *
   * @example
   * ```ts
   * import { parentPort } from 'node:worker_threads';
   * import { AsyncSender, type AsyncSenderData } from '@evkit/async';
   *
   * parentPort!.once('message', (data: AsyncSenderData) => {
   *   AsyncSender.from(data).send();
   * });
   * ```
   */
  static from<M = unknown>(value: AsyncSender<M> | AsyncSenderData): AsyncSender<M> {
    if (value instanceof AsyncSender) return value as AsyncSender<M>;
    if (value === null || typeof value !== 'object' || (value as { type?: unknown }).type !== TYPE) {
      throw argTypeError(`value must be an AsyncSender or its data (from async.sender()), got ${describe(value)}`);
    }
    const { id, pid } = value as { id: unknown; pid: unknown };
    if (typeof id !== 'bigint') throw argTypeError(`value.id must be a bigint, got ${describe(id)}`);
    if (id < 1n || id > MAX_ID) throw outOfRangeError(`value.id must be a bigint from 1n to 2n ** 64n - 1n, got ${id}n`);
    if (typeof pid !== 'number') throw argTypeError(`value.pid must be a number, got ${describe(pid)}`);
    if (!Number.isSafeInteger(pid) || pid < 0) throw outOfRangeError(`value.pid must be a process id, got ${describe(pid)}`);
    return new AsyncSender(id, pid);
  }

  /**
   * Wakes the watcher's loop (`ev_async_send`; an attached loop's JavaScript
   * thread directly, as `postMessage` does), from this or any other thread;
   * several sends before the loop gets to it give one callback. Returns `true`
   * when the watcher was reached (a stopped one drops the send, as libev does),
   * `false` once the watcher was closed or collected, or its loop destroyed —
   * also when its thread exited — or for a sender of another process.
   *
   * To an `AsyncMailbox`, it sends a message instead: a copy of `value`
   * (`node:v8` serialization; without a value, `undefined`), delivered in
   * order, never coalesced, kept while the mailbox is stopped.
   *
   * @throws `EvError` `ERR_EVKIT_MAILBOX_FULL` when the mailbox holds its limit
   *   (nothing was sent: try again later); `RangeError`
   *   (`ERR_INVALID_ARG_VALUE`) for a value `node:v8` cannot serialize; `TypeError` (`ERR_INVALID_ARG_TYPE`) for a
   *   value sent to a plain `Async`. Without a value to a plain `Async`, it
   *   never throws.
   *
   * @example
   * ```ts
   * const sender = AsyncSender.from(workerData);
   * const reached = sender.send(); // false once the watcher is closed or its loop destroyed
   * AsyncSender.from<string>(workerData.mailbox).send('done'); // to an AsyncMailbox
   * ```
   */
  send(...value: [] | [M]): boolean {
    return this.pid === PID && post(this.id, value);
  }

  /**
   * Sends every element of `values` to an `AsyncMailbox` as its own message,
   * in order, all or none, with one serialization for the lot: the cheap way
   * to send a burst. Returns `false` when the mailbox is gone.
   *
   * @throws As `send(value)`; `ERR_EVKIT_MAILBOX_FULL` when fewer than
   *   `values.length` messages fit (none was sent).
   *
   * @example
   * ```ts
   * AsyncSender.from<number>(workerData).sendBatch([1, 2, 3]);
   * ```
   */
  sendBatch(values: readonly M[]): boolean {
    return this.pid === PID && postBatch(this.id, values);
  }

  /** What `util.inspect` shows: `<AsyncSender 12>`, with the process when it is another one. */
  [inspect.custom](): string {
    return `<AsyncSender ${this.id}${this.pid === PID ? '' : ` of process ${this.pid}`}>`;
  }
}

/** @internal Used by Async.sender(). */
export function senderFor<M = unknown>(id: bigint): AsyncSender<M> {
  return AsyncSender.from<M>({ type: TYPE, id, pid: PID });
}
