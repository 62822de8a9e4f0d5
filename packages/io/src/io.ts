import { constants } from 'node:os';
import {
  IO_CAUSE_CLOSED_FD,
  IO_CAUSE_CLOSING_FD,
  IO_CAUSE_MASK,
  IO_REFUSE_EPOLL_FD,
  WatcherKind,
  binding,
} from '@evkit/core-native/binding';
import {
  ERROR,
  EvError,
  Loop,
  LoopDestroyedError,
  Watcher,
  eventsToString,
  type NativeKind,
  type WatcherCallback,
  type WatcherOptions,
} from '@evkit/loop';
import { checkBoolean, checkLoop, checkOptions, kReventsFirst, nativeLoopOf } from '@evkit/loop/internal';
import { checkFd, checkOpen, errnoError, parseEvents, type IoEvents } from './check.js';

/** The options of `new Io()`: every watcher's `ref` and `priority`, and `passEvents`. */
export interface IoOptions<P extends boolean = boolean> extends WatcherOptions {
  /** Pass the event mask (`revents`) to the callback as its first argument (gevent's `pass_events`). */
  passEvents?: P;
}

/** An Io callback: `(...args)`, or `(revents, ...args)` on an Io made with `passEvents: true`. */
export type IoCallback<A extends unknown[], P extends boolean = boolean, W = Io<A, P>> = P extends true
  ? (this: W, revents: number, ...args: A) => unknown
  : (this: W, ...args: A) => unknown;

const EBADF = constants.errno.EBADF;

const IO: NativeKind = { kind: WatcherKind.Io };

/**
 * Where an Io sends the error of a closed fd instead of the loop's error path
 * (readable() and writable() reject their promise with it). Package-private.
 */
export const kErrorSink = Symbol('evkit.io.errorSink');

/**
 * Readiness of a file descriptor (`ev_io`): the callback runs while `fd` is
 * readable (`READ`), writable (`WRITE`) or either (`READWRITE`). Level
 * triggered, like libev: it keeps firing while the condition holds.
 *
 * An error event stops the watcher: a closed fd (`EBADF`) goes to the loop's
 * error path and the callback is not called; `closingFd()` calls the callback
 * once with `ERROR` in `revents`. A callback that throws stops its watcher.
 * `start()` is the base's, and throws `EvError` `EBADF` when the fd was
 * closed since; with `passEvents` the callback gets `revents` first.
 *
 * Stop the watcher (or call `closingFd()`) before closing its fd.
 *
 * @example
 * ```ts
 * import { readSync } from 'node:fs';
 * import { Loop, READ } from '@evkit/loop';
 * import { Io } from '@evkit/io';
 *
 * // Count the bytes of stdin until EOF.
 * const loop = new Loop();
 * const buffer = Buffer.alloc(65536);
 * let total = 0;
 * new Io(loop, 0, READ).start(function () {
 *   const n = readSync(this.fd, buffer);
 *   if (n === 0) this.stop(); // EOF: nothing keeps run() going any more
 *   total += n;
 * });
 * loop.run();
 * console.log(total, 'bytes');
 * ```
 */
export class Io<A extends unknown[] = unknown[], P extends boolean = false> extends Watcher<A> {
  /** Type-level: `passEvents` as given, so that start() types the callback's revents. */
  declare readonly [kReventsFirst]?: P;
  readonly #passEvents: boolean;
  #fedError = false;
  /** Package-private: see kErrorSink. */
  [kErrorSink]: ((error: EvError) => void) | undefined = undefined;

  /**
   * Makes a stopped watcher of `fd`; `start()` starts it.
   * `options.passEvents: true` types the callback as `(revents, ...args)`.
   *
   * @param fd - An open file descriptor (a socket, pipe, FIFO, tty, ...).
   * @param events - `READ`, `WRITE` or `READWRITE`, or `"r"`, `"w"`, `"rw"`.
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when `loop` is not an evkit
   *   `Loop`, or `fd`, `events` or an option has the wrong type.
   * @throws `RangeError` (`ERR_OUT_OF_RANGE`) for a negative or fractional
   *   `fd` or a priority outside -2..2; (`ERR_INVALID_ARG_VALUE`) for an
   *   illegal event mask.
   * @throws `EvError` `EBADF` when `fd` is not open.
   * @throws `LoopDestroyedError` when the loop was destroyed.
   *
   * @example
   * ```ts
   * import { WRITE, eventsToString } from '@evkit/loop';
   *
   * const out = new Io(loop, 1, WRITE);
   * const both = new Io(loop, 0, 'rw', { passEvents: true }).start((revents) => {
   *   console.log(eventsToString(revents)); // "READ", "WRITE" or "READ|WRITE"
   * });
   * ```
   */
  constructor(loop: Loop, fd: number, events: IoEvents, options?: IoOptions<P>) {
    checkLoop('loop', loop);
    checkFd('fd', fd);
    const mask = parseEvents(events);
    const opts = checkOptions('options', options);
    if (opts.passEvents !== undefined) checkBoolean('options.passEvents', opts.passEvents);
    if (loop.destroyed) throw new LoopDestroyedError();
    checkOpen(fd);
    super(loop, options, fd, mask);
    this.#passEvents = opts.passEvents === true;
  }

  /** An Io is a transient kind: a native half only while active or pending. */
  protected override get nativeKind(): NativeKind {
    return IO;
  }

  get #fd(): number {
    return this.paramA;
  }

  get #events(): number {
    return this.paramB;
  }

  /** The watched file descriptor. Settable only while the watcher is stopped (see `set()`). */
  get fd(): number {
    this.nativeId();
    return this.#fd;
  }

  /**
   * Watches another fd from the next `start()`.
   *
   * @throws As `set()`.
   */
  set fd(fd: number) {
    checkFd('fd', fd);
    this.#apply(fd, this.#events, "attribute 'fd' is");
  }

  /** `READ`, `WRITE` or `READWRITE`. Settable (also as "r", "w", "rw") only while stopped. */
  get events(): number {
    this.nativeId();
    return this.#events;
  }

  /**
   * Watches other events from the next `start()`.
   *
   * @throws As `set()`.
   */
  set events(events: IoEvents) {
    this.#apply(this.#fd, parseEvents(events), "attribute 'events' is");
  }

  /** `events` as text: "READ", "WRITE" or "READ|WRITE". */
  get eventsString(): string {
    this.nativeId();
    return eventsToString(this.#events);
  }

  /** Whether the callback gets `revents` first (`options.passEvents` as given). */
  get passEvents(): boolean {
    this.nativeId();
    return this.#passEvents;
  }

  /**
   * Changes fd and events; only while stopped. The next `start()` uses them.
   *
   * @returns The watcher, for chaining.
   * @throws `EvError` `ERR_EVKIT_WATCHER_ACTIVE` while the watcher is active;
   *   `EBADF` when `fd` is not open.
   * @throws `TypeError`/`RangeError` for arguments the constructor refuses.
   * @throws `WatcherClosedError` after `close()`; `LoopDestroyedError` once the loop was destroyed.
   *
   * @example
   * ```ts
   * io.stop().set(otherFd, 'w').start(() => console.log('otherFd is writable'));
   * ```
   */
  set(fd: number, events: IoEvents): this {
    checkFd('fd', fd);
    this.#apply(fd, parseEvents(events), "attributes 'fd' and 'events' are");
    return this;
  }

  #apply(fd: number, mask: number, what: string): void {
    this.nativeId();
    if (this.active) {
      throw new EvError(`'Io' ${what} read-only while the watcher is active; stop() it first`, 'ERR_EVKIT_WATCHER_ACTIVE');
    }
    checkOpen(fd);
    // Stopped but pending (an error event on its way): the next start uses these.
    this.setParams(fd, mask);
  }

  /** `status` from NativeIo.start(): an errno, or IO_REFUSE_EPOLL_FD. */
  protected override startError(status: number): EvError {
    const fd = this.#fd;
    if (status === IO_REFUSE_EPOLL_FD) {
      return new EvError(
        `fd ${fd} is an epoll instance, which an epoll loop cannot watch (libev aborts on its own backend fd); use a poll or select loop`,
        'EINVAL',
      );
    }
    if (status === EBADF) return errnoError(status, `fd ${fd} is not an open file descriptor`, 'fstat');
    return errnoError(status, `cannot duplicate fd ${fd} for the ${this.loop.backend} backend`, 'fcntl');
  }

  /**
   * As the base's `feed()`; an `ERROR` fed by hand is treated as libev's own
   * error event (the watcher stops and the error path hears of it).
   *
   * @example
   * ```ts
   * import { READ } from '@evkit/loop';
   *
   * const io = new Io(loop, fd, READ).start(() => console.log('readable, or fed'));
   * io.feed(READ); // the callback runs on the next iteration, as if the fd were readable
   * ```
   */
  override feed(revents: number): void {
    super.feed(revents);
    if ((revents & ERROR) !== 0) this.#fedError = true;
  }

  /** Passes `revents` first under passEvents; an ERROR event is routed by its cause instead. */
  protected override fire(callback: WatcherCallback<A>, args: A, revents: number): void {
    if ((revents & ERROR) !== 0) {
      // The native half tells where the error came from in revents' cause bits.
      const cause = revents & IO_CAUSE_MASK;
      revents = (revents & ~IO_CAUSE_MASK) >>> 0;
      const fed = this.#fedError;
      this.#fedError = false;
      if (cause !== IO_CAUSE_CLOSING_FD) {
        // libev's select backend kills an fd only after fcntl said EBADF; by
        // now (attached) its number may belong to a new file already.
        this.#failed(cause === IO_CAUSE_CLOSED_FD || (!fed && this.loop.backend === 'select'));
        return;
      }
    }
    if (!this.#passEvents) {
      super.fire(callback, args, revents);
    } else if (args.length === 0) {
      (callback as unknown as (this: this, revents: number) => unknown).call(this, revents);
    } else {
      (callback as unknown as (this: this, ...rest: unknown[]) => unknown).call(this, revents, ...args);
    }
  }

  // An error event from libev (select's EBADF handling), from evkit's own
  // check, or fed by hand: the watcher stops and the error path hears of it.
  #failed(knownClosed: boolean): void {
    const fd = this.#fd;
    this.stop();
    const error =
      knownClosed || binding.ioFdStatus(fd) !== 0
        ? new EvError(
            `fd ${fd} was closed while an Io watcher watched it; stop() the watcher or call closingFd() before closing the fd`,
            'EBADF',
            { errno: EBADF },
          )
        : new EvError(`libev reported an error (EV_ERROR) on fd ${fd}; the Io watcher was stopped`, 'ERR_EVKIT_IO_ERROR');
    const sink = this[kErrorSink];
    if (sink === undefined) throw error;
    sink(error);
  }

  /** A throwing callback stops its io watcher, so a ready fd cannot spin (gevent). */
  protected override onCallbackError(): void {
    this.stop();
  }

  /** `fd=` and `events=` for util.inspect. */
  protected override inspectSettings(): string[] {
    return [`fd=${this.#fd}`, `events=${eventsToString(this.#events)}`];
  }
}

/**
 * Tells evkit that `fd` is about to be closed (gevent's `closing_fd`): every
 * active Io of `loop` on `fd` stops at once and its callback then runs once
 * with `ERROR` in `revents`. Returns whether any watcher was affected.
 * Nothing reaches the loop's error path: retiring an fd is not an error.
 *
 * @param loop - The loop whose watchers to retire (a view of it works too).
 * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when `loop` is not an evkit
 *   `Loop` or `fd` not a number; `RangeError` (`ERR_OUT_OF_RANGE`) for a
 *   negative or fractional `fd`.
 * @throws `LoopDestroyedError` when the loop was destroyed.
 *
 * @example
 * ```ts
 * import { closeSync } from 'node:fs';
 * import { ERROR } from '@evkit/loop';
 * import { Io, closingFd } from '@evkit/io';
 *
 * new Io(loop, fd, 'r', { passEvents: true }).start((revents) => {
 *   if (revents & ERROR) console.log('retired');
 * });
 * closingFd(loop, fd); // true: the watcher stopped
 * closeSync(fd);
 * loop.run(); // prints "retired"
 * ```
 */
export function closingFd(loop: Loop, fd: number): boolean {
  const native = nativeLoopOf(loop);
  checkFd('fd', fd);
  return binding.ioClosingFd(native.id(), fd) > 0;
}
