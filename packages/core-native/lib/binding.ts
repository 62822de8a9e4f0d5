// The binding's JS surface: the one door into native code. @evkit/loop and the
// watcher packages use it; applications use @evkit/loop instead.
//
// Native code never builds a user-facing error (Node's rule): a call that can
// fail returns a status (an errno, a libuv error, a small code) and the
// TypeScript side builds the error (@evkit/loop's errors.ts). The only throws
// left in native code guard against misuse of this raw binding.
import { loadAddon } from './load.js';

/** Methods every native watcher handle has (see src/watcher_wrap.h). */
export interface NativeWatcher {
  /**
   * 0 when started (or already active, or closed), else the kind's failure
   * status: see NativeIo and NativeSignal (other kinds always return 0).
   */
  start(): number;
  stop(): void;
  feed(revents: number): void;
  close(): void;
  active(): boolean;
  pending(): boolean;
  priority(): number;
  /** Returns false when libev forbids the change (active or pending). */
  setPriority(priority: number): boolean;
  setKeepalive(keep: boolean): void;
  keepalive(): boolean;
}

/**
 * What `run()` returns: whether active watchers (or queued callbacks) remain,
 * or, when a libev system error (a failing backend) stopped the run, that and
 * the error as `[more, message, errno]`.
 */
export type NativeRunResult = boolean | [more: boolean, message: string, errno: number];

export interface NativeLoop {
  run(flags: number): NativeRunResult;
  break(how: number): void;
  now(): number;
  updateNow(): void;
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

export type NativeWatcherConstructor<A extends unknown[] = []> = new (
  loop: NativeLoop,
  owner: object,
  ...args: A
) => NativeWatcher;

export interface NativeTimer extends NativeWatcher {
  set(after: number, repeat: number): void;
  again(): void;
  remaining(): number;
  setRepeat(repeat: number): void;
}

export interface NativePeriodic extends NativeWatcher {
  set(offset: number, interval: number): void;
  again(): void;
  at(): number;
}

/** `start()` returns 0 or a negative libuv error (`-EMFILE`) that kept the signal from being watched. */
export interface NativeSignal extends NativeWatcher {
  signum(): number;
}

/** Signal numbers of the platform (`NSIG`, glibc's `SIGRTMIN`/`SIGRTMAX`). */
export interface SignalLimits {
  nsig: number;
  rtmin: number;
  rtmax: number;
  /** The signals evkit refuses to watch, with the reason: `[signum, reason]`. */
  refusals: Array<[number, string]>;
}

export interface NativeAsync extends NativeWatcher {
  /** `ev_async_send` on the JS thread (thread-safe, coalescing). */
  send(): void;
  /** A send is waiting for the callback (`ev_async_pending`, or recorded for delivery). */
  sent(): boolean;
  /** The process-wide id `asyncSend()` reaches this watcher by (published on first call; 0n once gone). */
  senderId(): bigint;
}

export interface NativeStat extends NativeWatcher {
  /**
   * lstat() fields as `[dev, ino, mode, nlink, uid, gid, rdev, size, blksize,
   * blocks, atimeSec, atimeNsec, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec]`,
   * or null when the path did not exist (or was never read).
   */
  attr(): Float64Array | null;
  prev(): Float64Array | null;
  /** lstat() now into attr (prev stays, nothing fires). */
  stat(): void;
  /** As given; clamped like libev's on start (0 stays 0: the default). */
  interval(): number;
  /** The current back-up poll period in seconds, 0 for none (or inactive). */
  pollInterval(): number;
  /** Active and watching through inotify. */
  usesInotify(): boolean;
}

/**
 * `start()` returns 0, an errno (EBADF: fd not open; EMFILE: no duplicate for
 * a poll/io_uring loop), or `IO_REFUSE_EPOLL_FD` for an epoll instance on an
 * epoll loop. An ERROR event carries what it came from in the `IO_CAUSE_MASK`
 * bits of revents (libev uses none of them).
 */
export interface NativeIo extends NativeWatcher {
  /** Sets fd and events; ignored while active (the JS layer refuses that). */
  set(fd: number, events: number): void;
}

/** NativeIo `start()`: an epoll instance on an epoll loop. */
export const IO_REFUSE_EPOLL_FD = -1;
/** The revents bits of an Io ERROR event that say what it came from. */
export const IO_CAUSE_MASK = 0x30000000;
/** A closed fd evkit found (else libev's own error, or `feed()`). */
export const IO_CAUSE_CLOSED_FD = 0x10000000;
/** `closingFd()`. */
export const IO_CAUSE_CLOSING_FD = 0x20000000;

/** Functions native code calls back into; installed once per thread by @evkit/loop. */
export interface Hooks {
  /** Called with the watcher's owner as `this`; must never throw. */
  dispatch(this: object, revents: number, active: boolean): void;
  /** Called with the loop's owner as `this`; returns whether callbacks remain. */
  drain(this: object): boolean;
  heartbeat(): void;
  /** Called with the loop's owner as `this` when an attached loop has nothing keeping it alive. */
  settle(this: object): void;
  /** Called with the loop's owner as `this` when a system error stopped an attached loop's thread. */
  syserr(this: object, message: string, errno: number): void;
  isMainThread: boolean;
}

export interface Binding {
  abi: { major: number; minor: number };
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
  Prepare: NativeWatcherConstructor;
  Check: NativeWatcherConstructor;
  Idle: NativeWatcherConstructor;
  Timer: new (loop: NativeLoop, owner: object, after: number, repeat: number) => NativeTimer;
  Periodic: new (loop: NativeLoop, owner: object, offset: number, interval: number) => NativePeriodic;
  Signal: new (loop: NativeLoop, owner: object, signum: number) => NativeSignal;
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
  Async: new (loop: NativeLoop, owner: object) => NativeAsync;
  /**
   * From any thread: `ev_async_send` on the Async watcher published under `id`
   * (see `NativeAsync.senderId`). False when it is gone (closed, collected, its
   * loop destroyed) or `id` is not a positive 64-bit bigint.
   */
  asyncSend(id: bigint): boolean;
  Fork: NativeWatcherConstructor;
  Stat: new (loop: NativeLoop, owner: object, path: Uint8Array, interval: number) => NativeStat;
  Io: new (loop: NativeLoop, owner: object, fd: number, events: number) => NativeIo;
  /** 0 when `fd` is open, else the errno of `fcntl(fd, F_GETFD)`. */
  ioFdStatus(fd: number): number;
  /** Stops every active Io of `loop` on `fd` with an error event; returns how many. */
  ioClosingFd(loop: NativeLoop, fd: number): number;
}

/** The ABI major this JS code was written for. */
export const ABI_MAJOR = 1;

export const binding: Binding = loadAddon<Binding>();
