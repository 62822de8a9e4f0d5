// The binding's JS surface: the one door into native code. @evkit/loop and the
// watcher packages use it; applications use @evkit/loop instead.
//
// Native code never builds a user-facing error (Node's rule): a call that can
// fail returns a status (an errno, a libuv error, a small code) and the
// TypeScript side builds the error (@evkit/loop's errors.ts). The only throws
// left in native code guard against misuse of this raw binding.
import { loadAddon } from './load.js';
import { sharedBinding } from './shared-binding.js';

/**
 * Watcher kinds as native code numbers them (src/watcher_kind.h). Transient
 * kinds have a native half only while active or pending; Async and Stat are
 * persistent (made by `watcherCreate`/`statCreate`, freed by `watcherClose`).
 */
export const WatcherKind = {
  Prepare: 1,
  Check: 2,
  Idle: 3,
  Timer: 4,
  Periodic: 5,
  Signal: 6,
  Async: 7,
  Fork: 8,
  Stat: 9,
  Io: 10,
  Cleanup: 11,
} as const;

/** Bits of a watcher's byte in `watcherState()`. */
export const WATCHER_ACTIVE = 1;
export const WATCHER_PENDING = 2;
export const WATCHER_QUEUED = 4;

/** `watcherStatus()` after a failed watcherStart/watcherCreate, beside a kind's own statuses. */
export const STATUS_LOOP_GONE = -10001;
export const STATUS_TOO_MANY = -10002;

/**
 * What `run()` returns: whether active watchers (or queued callbacks) remain,
 * or, when a libev system error (a failing backend) stopped the run, that and
 * the error as `[more, message, errno]`.
 */
export type NativeRunResult = boolean | [more: boolean, message: string, errno: number];

export interface NativeLoop {
  /** The number watcher calls name this loop by (0 once destroyed). */
  id(): number;
  run(flags: number): NativeRunResult;
  break(how: number): void;
  now(): number;
  updateNow(): void;
  /** ev_set_io_collect_interval / ev_set_timeout_collect_interval, in seconds; a negative value leaves that one. */
  setCollectIntervals(io: number, timeout: number): void;
  /** [seconds in the backend poll, seconds in calls into JS] since the loop was made. */
  times(): [poll: number, callbacks: number];
  /** ev_suspend (an attached loop's thread is stopped first): false inside one of its callbacks or when suspended. */
  suspend(): boolean;
  /** ev_resume, then re-attaches a loop suspend() detached: null, or why that failed. */
  resume(): string | null;
  iteration(): number;
  depth(): number;
  pendingCount(): number;
  activeCount(): number;
  refCount(): number;
  backend(): number;
  ptr(): bigint;
  destroyed(): boolean;
  owns(): boolean;
  ref(): void;
  /** Takes back one ref(); false (and nothing changed) when none is outstanding. */
  unref(): boolean;
  verify(): void;
  /** 0, or the errno (EMFILE) that kept libev from re-creating its wake-up fd. */
  reinit(): number;
  destroy(): void;
  setCallbacksQueued(queued: boolean): void;
  /** Starts the loop thread: Node's event loop delivers the callbacks. Null, or why it could not. */
  attach(): string | null;
  /** Joins the loop thread; the loop can then be run blocking again. */
  detach(): void;
  attached(): boolean;
  /** Whether a callback of this loop is running (blocking or attached). */
  inCallback(): boolean;
  /** Ask for the settle hook once nothing keeps the loop alive. */
  setWantSettle(want: boolean): void;
}

export interface NativeLoopConstructor {
  /** `owner` receives the drain hook; `foreignPtr` wraps an ev_loop evkit does not own. */
  new (owner: object, flags: number, foreignPtr?: bigint): NativeLoop;
  /** A new loop (`ev_loop_new(flags)`), or the errno it failed with (0: none known). */
  create(owner: object, flags: number): NativeLoop | number;
  /** The owner object of a live evkit loop of this thread. */
  lookup(ptr: bigint): object | 'unknown' | 'other-thread';
}

/** Signal numbers of the platform (`NSIG`, glibc's `SIGRTMIN`/`SIGRTMAX`). */
export interface SignalLimits {
  nsig: number;
  rtmin: number;
  rtmax: number;
  /** The signals evkit refuses to watch, with the reason: `[signum, reason]`. */
  refusals: Array<[number, string]>;
}

// An Io start returns 0, an errno (EBADF: fd not open; EMFILE: no duplicate
// for a poll/io_uring loop), or IO_REFUSE_EPOLL_FD for an epoll instance on an
// epoll loop. An ERROR event carries what it came from in the IO_CAUSE_MASK
// bits of revents (libev uses none of them). A Signal start returns 0 or a
// negative libuv error (-EMFILE) that kept the signal from being watched.

/** An Io start status: an epoll instance on an epoll loop. */
export const IO_REFUSE_EPOLL_FD = -1;
/** The revents bits of an Io ERROR event that say what it came from. */
export const IO_CAUSE_MASK = 0x30000000;
/** A closed fd evkit found (else libev's own error, or `feed()`). */
export const IO_CAUSE_CLOSED_FD = 0x10000000;
/** `closingFd()`. */
export const IO_CAUSE_CLOSING_FD = 0x20000000;

/** Functions native code calls back into; installed once per thread by @evkit/loop. */
export interface Hooks {
  /** Attached: one recorded event of watcher `id`; must never throw. */
  dispatch(id: number, revents: number): void;
  /**
   * Blocking: a batch of events as `count` (id, revents) pairs from slot 1
   * on, in libev's order; an entry is delivered only while its watcher's
   * QUEUED bit is set (the hook clears it). Native code sets slot 0 when a
   * callback fed a watcher: the hook stops after that callback and returns
   * how many entries it took. Must never throw.
   */
  deliver(batch: Float64Array, count: number): number;
  /** Called with the loop's owner as `this`; returns whether callbacks remain. */
  drain(this: object): boolean;
  heartbeat(): void;
  /** Called with the loop's owner as `this` when an attached loop has nothing keeping it alive. */
  settle(this: object): void;
  /** Called with the loop's owner as `this` when a system error stopped an attached loop's thread. */
  syserr(this: object, message: string, errno: number): void;
  isMainThread: boolean;
}

declare const nativeApiBrand: unique symbol;
/** The C API table for other addons (include/evkit.h): an opaque external. */
export interface NativeApi {
  /** Type-level only: no such property exists; it keeps other values from passing for the table. */
  readonly [nativeApiBrand]: true;
}

export interface Binding {
  abi: { major: number; minor: number };
  nativeApi: NativeApi;
  constants: Record<string, number>;
  versions(): { runtimeMajor: number; runtimeMinor: number; headerMajor: number; headerMinor: number };
  backends(): { supported: number; recommended: number; embeddable: number };
  time(): number;
  setHooks(hooks: Hooks): void;
  debugCounts(): {
    loopsCreated: number;
    loopsFreed: number;
    loopsLive: number;
    watchersCreated: number;
    watchersFreed: number;
  };
  Loop: NativeLoopConstructor;
  /**
   * Flags: bits 0-2 the libev priority + 2, bit 3 unref. `a`, `b`: the kind's
   * parameters (Timer: after, repeat; Periodic: offset, interval; Signal:
   * signum; Io: fd, events). The id of a new started watcher, or 0 with the
   * reason in `watcherStatus()` (the kind's start status, EINVAL, or STATUS_*).
   * `capture` 1 (ABI 2.9): its callbacks on an attached loop run in the async
   * context current now (else in the loop's).
   */
  watcherStart(loopId: number, kind: number, flags: number, a: number, b: number, capture?: number): number;
  /** As watcherStart, without starting it. */
  watcherCreate(loopId: number, kind: number, flags: number, a: number, b: number): number;
  watcherStatus(): number;
  /** start() of a watcher that has its native half: 0, or the kind's status; `capture` as for watcherStart. */
  watcherRestart(id: number, capture?: number): number;
  /** Stops it; a transient kind's native half goes with its last state. */
  watcherStop(id: number): void;
  /** Stops it and frees its native half; the id is stale afterwards. */
  watcherClose(id: number): void;
  watcherFeed(id: number, revents: number): void;
  /**
   * `fn.call(recv, a, b, c)` in the async context the watcher's attached
   * start() kept natively (`capture`), plainly when it has none (ABI 2.10):
   * how a blocking run() after detach() makes such a watcher's callback.
   */
  watcherCallInContext(id: number, fn: (...args: never[]) => unknown, recv: object, a?: unknown, b?: unknown, c?: unknown): unknown;
  /** ev_clear_pending, also for an event already recorded or queued for JS: the revents cleared, or 0. */
  watcherClearPending(id: number): number;
  /**
   * The kind's two parameters changed (Timer: after for the next start, repeat
   * at once; Periodic: the schedule, from the next again(); Io: fd and events,
   * ignored while active).
   */
  watcherSetParams(id: number, a: number, b: number): void;
  watcherSetKeepalive(id: number, keep: number): void;
  /** False (nothing changed) while active or pending. */
  watcherSetPriority(id: number, priority: number): boolean;
  /** libev's own view, under the loop lock (JS reads watcherState() instead). */
  watcherActive(id: number): boolean;
  watcherPending(id: number): boolean;
  /** One byte per watcher slot (WATCHER_*), written by native code on this thread only. */
  watcherState(): Uint8Array;
  timerAgain(id: number): void;
  timerRemaining(id: number): number;
  periodicAgain(id: number): void;
  periodicAt(id: number): number;
  signalLimits: SignalLimits;
  /**
   * evkit's bookkeeping for one signal, process-wide (a read-only diagnostic,
   * like debugCounts), or null when `signum` is not a signal number. `handler`
   * is the address of evkit's chain handler as sigaction(2) reports it.
   */
  signalChainState(signum: number): {
    chained: boolean;
    envs: number;
    watchers: number;
    raised: number;
    handler: `0x${string}`;
  } | null;
  /** `ev_async_send` on the JS thread (thread-safe, coalescing). */
  asyncNotify(id: number): void;
  /** A send is waiting for the callback (`ev_async_pending`, or recorded for delivery). */
  asyncSent(id: number): boolean;
  /** The process-wide id `asyncSend()` reaches this watcher by (published on first call; 0n once gone). */
  asyncSenderId(id: number): bigint;
  /**
   * From any thread: `ev_async_send` on the Async watcher published under `id`
   * (see `asyncSenderId`). False when it is gone (closed, collected, its
   * loop destroyed) or `id` is not a positive 64-bit bigint.
   */
  asyncSend(id: bigint): boolean;
  /**
   * Before the sender is published: gives the Async watcher a mailbox of at
   * most `limit` messages (1 to 2^32 - 1). False when too late or out of range.
   * ABI 2.9: with `inbound` and `pretaken` (a Float64Array of 2), an attached
   * delivery writes the waiting messages into `inbound` first, as
   * asyncTakeMessages would, and sets `pretaken` to [id, byte count]; JS takes
   * them from there and sets pretaken[0] to 0. Left there, they go back.
   */
  asyncUseMailbox(id: number, limit: number, inbound?: Uint8Array, pretaken?: Float64Array): boolean;
  /**
   * From any thread: queues `message` (node:v8 bytes; none: a send without a
   * value) on the watcher published under `id` and wakes its loop. With
   * `batch`, `message` is an array of that many messages. With `length`
   * (ABI 2.8), only the first `length` bytes of `message` are sent.
   */
  asyncPost(id: bigint, message?: Uint8Array, batch?: number, length?: number): AsyncPostResult;
  /**
   * Every queued entry, oldest first, in one buffer: each a 32-bit
   * little-endian kind (0: a message without a value, 1: one message, 2: an
   * array of messages) and byte length, then its bytes. Written into `into`
   * when they fit there (the byte count is returned), else into a new Buffer.
   */
  asyncTakeMessages(id: number, into?: Uint8Array): Buffer | number | undefined;
  /** A new (persistent, inactive) Stat watcher's id, or 0 (watcherStatus()). */
  statCreate(loopId: number, flags: number, path: Uint8Array, interval: number): number;
  /**
   * lstat() fields as `[dev, ino, mode, nlink, uid, gid, rdev, size, blksize,
   * blocks, atimeSec, atimeNsec, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec]`,
   * or null when the path did not exist (or was never read).
   */
  statAttr(id: number): Float64Array | null;
  statPrev(id: number): Float64Array | null;
  /** lstat() now into attr (prev stays, nothing fires). */
  statStat(id: number): void;
  /** As given; clamped like libev's on start (0 stays 0: the default). */
  statInterval(id: number): number;
  /** The current back-up poll period in seconds, 0 for none (or inactive). */
  statPollInterval(id: number): number;
  /** Active and watching through inotify. */
  statUsesInotify(id: number): boolean;
  /** 0 when `fd` is open, else the errno of `fcntl(fd, F_GETFD)`. */
  ioFdStatus(fd: number): number;
  /** Stops every active Io of `loop` on `fd` with an error event; returns how many. */
  ioClosingFd(loopId: number, fd: number): number;
}

/** What `asyncPost` answers (src/watchers/async.cc PostResult). */
export const AsyncPostResult = {
  /** The watcher is gone (closed, collected, its loop destroyed). */
  Gone: 0,
  Posted: 1,
  /** The mailbox holds its limit. */
  Full: 2,
  /** A value for a watcher made without a mailbox. */
  NoMailbox: 3,
} as const;
export type AsyncPostResult = (typeof AsyncPostResult)[keyof typeof AsyncPostResult];

/** The ABI major this JS code was written for. */
export const ABI_MAJOR = 2;
/** The lowest ABI minor that has everything this JS code calls. */
export const ABI_MINOR = 9;

export const binding: Binding = sharedBinding(() => loadAddon<Binding>(), ABI_MAJOR, ABI_MINOR);
