// The operation vocabulary: plain JSON data, so a sequence replays exactly.
//
// Objects are named by small integers that are resolved modulo the number of
// objects created so far (`w % watchers.length`), so every generated
// sequence is meaningful whatever was created before, and shrinking never
// produces a dangling reference. Model and executor resolve them the same way.

export type WatcherKind =
  | 'timer'
  | 'periodic'
  | 'io'
  | 'signal'
  | 'async'
  | 'fork'
  | 'stat'
  | 'prepare'
  | 'check'
  | 'idle';

export const WATCHER_KINDS: readonly WatcherKind[] = [
  'timer', 'periodic', 'io', 'signal', 'async', 'fork', 'stat', 'prepare', 'check', 'idle',
];

/** Where an io watcher looks: the read end for READ, the write end for WRITE (or the odd combinations). */
export type IoSpec = { pipe: number; end: 'r' | 'w'; events: 1 | 2 | 3 };

export type NewWatcher = {
  k: 'new';
  kind: WatcherKind;
  loop: number;
  prio?: number;
  ref?: boolean;
  /** timer after / periodic offset */
  t1?: number;
  /** timer repeat / periodic interval */
  t2?: number;
  io?: IoSpec;
  sig?: 'SIGUSR2' | 'SIGWINCH';
};

/** What a callback does when it runs (only on its first run, to keep sequences finite). */
export type Body = {
  /** run synchronously inside the callback */
  inner?: Op[];
  /** run in a promise continuation queued by the callback */
  then?: Op[];
  /** throw an Error after `inner` */
  throws?: boolean;
};

/** A probe of a member on a closed watcher or a watcher of a destroyed loop. */
export type Member =
  | 'active' | 'pending' | 'priority' | 'setPriority' | 'callback' | 'setCallback' | 'args' | 'setArgs'
  | 'start' | 'stop' | 'ref' | 'unref' | 'hasRef' | 'feed' | 'kindGet' | 'kindSet';

/** Wrong-typed and out-of-range arguments; each names its expected error class in the model. */
export type BadArg =
  | 'timerAfterString' | 'timerAfterNaN' | 'timerAfterInf' | 'timerAfterHuge' | 'timerRepeatNeg'
  | 'timerRepeatHuge' | 'periodicOffsetHuge' | 'periodicIntervalNeg' | 'periodicIntervalString'
  | 'prioHigh' | 'prioFrac' | 'prioString' | 'refString' | 'optionsNumber'
  | 'ioFdNeg' | 'ioFdString' | 'ioEvents7' | 'ioEventsX' | 'signalKill' | 'signal99' | 'signalName'
  | 'statEmpty' | 'statNumber' | 'startNoFn' | 'loopNotLoop' | 'loopIsWatcher' | 'loopFlags0x100'
  | 'loopFlagsNeg' | 'loopFlagsType' | 'loopFlagsName' | 'loopPtrUnknown' | 'loopPtrType' | 'breakHow'
  | 'runNowaitType' | 'runOptionsType' | 'runCallbackNoFn' | 'errorHandlerType' | 'feedString'
  | 'timerSetAfterNaN' | 'timerSetRepeatNeg' | 'argsNotArray' | 'sleepHuge' | 'sleepString';

export type Op =
  | { k: 'newLoop'; backend: '' | 'poll' | 'select' | 'epoll' }
  | { k: 'view'; loop: number }
  | NewWatcher
  | { k: 'start'; w: number; body?: Body }
  | { k: 'stop'; w: number }
  | { k: 'close'; w: number }
  | { k: 'wref'; w: number; on: boolean }
  | { k: 'feed'; w: number }
  | { k: 'prio'; w: number; p: number }
  | { k: 'timerSet'; w: number; field: 'after' | 'repeat'; v: number }
  | { k: 'again'; w: number }
  | { k: 'clearPending'; w: number }
  | { k: 'invoke'; w: number }
  | { k: 'send'; w: number }
  | { k: 'raise'; sig: 'SIGUSR2' | 'SIGWINCH' }
  | { k: 'write'; pipe: number }
  | { k: 'drain'; pipe: number }
  | { k: 'touch' }
  | { k: 'member'; w: number; m: Member }
  | { k: 'lref'; loop: number }
  | { k: 'lunref'; loop: number }
  | { k: 'verify'; loop: number }
  | { k: 'reinit'; loop: number }
  | { k: 'run'; loop: number; mode: 'nowait' | 'once' | 'default' }
  | { k: 'break'; loop: number; how: 'one' | 'all' | 'cancel' }
  | { k: 'destroy'; loop: number }
  | { k: 'runCb'; loop: number; body?: Body }
  | { k: 'cbStop'; cb: number }
  | { k: 'errHandler'; loop: number; on: boolean }
  | { k: 'attach'; loop: number }
  | { k: 'detach'; loop: number }
  | { k: 'runAsync'; loop: number }
  | { k: 'settle' }
  /** suspend() the loop, run `during` (each op on that loop refused, but close and destroy), resume() */
  | { k: 'suspend'; loop: number; during: Op[] }
  | { k: 'bad'; what: BadArg; loop: number; w: number }
  | { k: 'counts'; loop: number };

/** A generated test case: the ops run at top level, one after the other (awaiting each). */
export type Sequence = { ops: Op[] };

export const PIPES_PER_SEQUENCE = 2;
