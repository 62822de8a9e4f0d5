// Async iteration of a watcher's events (`for await (const revents of watcher)`):
// a queue between the watcher's deliveries and the consumer's next(), with a
// bounded buffer. When the buffer is full the watcher is paused (stopped in
// libev) until the consumer has taken half of it, as `events.on` pauses a
// stream at its high-water mark: events that occur meanwhile are not seen (an
// Io's readiness is level-triggered and shows again; a timer restarts its
// schedule; signals and sends coalesce into the next one after the resume).
import { abortError } from './promise-options.js';

/** What `Watcher#iterate()` takes. */
export interface IterateOptions {
  /** Aborting it ends the iteration: a waiting `next()` rejects with an `AbortError`; the watcher is stopped. */
  signal?: AbortSignal;
  /** How many undelivered events are kept before the watcher is paused (default 1024). */
  highWaterMark?: number;
}

/** What the queue needs from its watcher. */
export interface IteratedWatcher<T = number> {
  pauseIteration(): void;
  resumeIteration(): void;
  endIteration(): void;
  /** `break` left these unread (oldest first): a watcher that must not lose them keeps them. */
  keepUnread(values: T[]): void;
}

export const DEFAULT_HIGH_WATER_MARK = 1024;

export class EventQueue<T = number> implements AsyncIterableIterator<T> {
  readonly #watcher: IteratedWatcher<T>;
  readonly #highWaterMark: number;
  readonly #signal: AbortSignal | undefined;
  readonly #buffer: T[] = [];
  #head = 0;
  #waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | null = null;
  #done = false;
  #error: unknown = undefined;
  #paused = false;
  readonly #onAbort = (): void => this.#finish(abortError(this.#signal));

  constructor(watcher: IteratedWatcher<T>, options: { signal: AbortSignal | undefined; highWaterMark: number }) {
    this.#watcher = watcher;
    this.#highWaterMark = options.highWaterMark;
    this.#signal = options.signal;
    if (this.#signal?.aborted) {
      this.#done = true;
      this.#error = abortError(this.#signal);
      return;
    }
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** A delivery of the watcher (its revents, or for a mailbox one message). */
  push(revents: T): void {
    if (this.#done) return;
    const waiting = this.#waiting;
    if (waiting !== null) {
      this.#waiting = null;
      waiting.resolve({ value: revents, done: false });
      return;
    }
    this.#buffer.push(revents);
    if (this.#buffer.length - this.#head >= this.#highWaterMark && !this.#paused) {
      this.#paused = true;
      this.#watcher.pauseIteration();
    }
  }

  /** The watcher stopped or closed (not a pause): the consumer gets what is buffered, then the end. */
  end(): void {
    this.#finish(undefined);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#buffer.length) {
      const value = this.#buffer[this.#head++]!;
      this.#compact();
      if (this.#paused && !this.#done && this.#buffer.length - this.#head <= this.#highWaterMark / 2) {
        this.#paused = false;
        this.#watcher.resumeIteration();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#done) {
      const error = this.#error;
      this.#error = undefined;
      return error === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(error);
    }
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  /** `break` out of `for await`: the watcher is stopped. */
  return(): Promise<IteratorResult<T>> {
    const unread = this.#buffer.slice(this.#head);
    this.#finish(undefined);
    if (unread.length > 0) this.#watcher.keepUnread(unread);
    this.#buffer.length = 0;
    this.#head = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #finish(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#watcher.endIteration();
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting === null) {
      this.#error = error;
    } else if (error === undefined) {
      waiting.resolve({ value: undefined, done: true });
    } else {
      waiting.reject(error);
    }
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#buffer.length) {
      this.#buffer.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
