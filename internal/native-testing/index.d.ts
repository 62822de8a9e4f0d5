/** What a `sigaction(2)` query returns: the handler (an address unless default or ignored) and sa_flags. */
export interface SigactionView {
  handler: 'SIG_DFL' | 'SIG_IGN' | `0x${string}`;
  flags: number;
  /** Whether it is evkit's chain handler. */
  chain: boolean;
}

/** What the child of `forkProbe` reported (decoded from its exit status). */
export interface ForkProbeResult {
  /** The child's exit status, or null when a signal ended it. */
  exitCode: number | null;
  signal: number | null;
  /** The child reached its `_exit` after running the loop. */
  completed: boolean;
  /** How often the child's native fork watcher ran (capped at 3). */
  forks?: number;
  /** An io watcher on a pipe made in the child fired. */
  io?: boolean;
  /** A 20 ms timer fired in the child. */
  timer?: boolean;
  /** The 5 s guard timer fired (the loop did not work). */
  guard?: boolean;
}

/** Test-only native helpers (evkit_testing.node); not part of any public API. */
export interface Testing {
  /** A connected, non-blocking AF_UNIX stream socket pair Node knows nothing about. */
  socketpair(): [number, number];
  /** A bare ev_loop made as foreign native code would (for `unsafeForeignPointer`). */
  rawLoopNew(): bigint;
  /** RangeError unless `ptr` came from rawLoopNew() and is still live. */
  rawLoopDestroy(ptr: bigint): void;
  rawLoopRunNowait(ptr: bigint): number;
  sigaction(signum: number): SigactionView;
  /** evkit's bookkeeping for one signal, process-wide. */
  signalChain(signum: number): { chained: boolean; envs: number; watchers: number; raised: number };
  /**
   * fork(2); the child never enters JS: it calls `ev_loop_fork` (when `reinit`),
   * runs the loop with native watchers only and `_exit`s. Only for a detached,
   * idle evkit loop of this thread with no active or pending watchers.
   */
  forkProbe(ptr: bigint, reinit: boolean): ForkProbeResult;
  /** Each C API entry given bad input, another loop or another thread: { case: status }. */
  apiProbe(api: unknown, ptr: bigint, otherPtr: bigint): Record<string, number>;
  /** Starts a timer, io, idle and async watcher through the C API and leaves them active: 0 or a status. */
  apiLeave(api: unknown, ptr: bigint): number;
  /** What the C API does with apiLeave's watchers once their loop is destroyed; frees them. */
  apiAfterDestroy(api: unknown, ptr: bigint): Record<string, number>;
}

export declare const testing: Testing;
