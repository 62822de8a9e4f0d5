// Switches for behaviour that is known to diverge until its fix is merged.
// Each known item can be skipped on its own: FUZZ_SKIP=unref,attach-in-callback
// (FUZZ_SKIP=none checks everything; unset means every known item is skipped).
// A skipped item turns the affected operations into no-ops in the model and
// the executor alike, so a sequence stays the same data either way.

export const KNOWN_ITEMS = {
  unref: 'loop.unref() with no outstanding ref() throws EvError ERR_EVKIT_UNREF (today: ev_verify aborts)',
  'attach-in-callback': 'attach()/runAsync() inside a blocking run() callback of the same loop throw ERR_EVKIT_IN_CALLBACK (detach() of a loop that is not attached does nothing)',
  'max-time': 'time arguments above MAX_TIME (1e10 s) throw RangeError (today: accepted; Periodic 1e300 hangs)',
  'runasync-zero': 'await runAsync() on a loop with refCount 0 resolves promptly',
  'view-props': 'a view (new Loop({ptr})) reports isDefault, backend and attached of its loop',
  'closed-members': 'every member of a closed watcher but close/closed throws WatcherClosedError',
  'destroyed-members': "after loop.destroy() a watcher's members throw LoopDestroyedError and closed is true",
  'callback-errors': 'a throwing callback: errorHandler, or run() rethrows after the batch, or uncaughtException when attached',
  'stat-attached': 'Stat stop on an attached poll-backend loop aborts',
  // found by this fuzzer (findings/*.mjs)
  'destroyed-error-handler': 'loop.errorHandler get/set on a destroyed loop does not throw LoopDestroyedError',
  'attached-restart-undelivered': 'attached: start() of a one-shot that expired but was not delivered yet double-fires and leaks activeCount/refCount',
  'restart-queued-oneshot': 'start() of an expired one-shot whose callback is still queued leaks activeCount/refCount',
  'runcb-in-attached-callback': 'attached: a runCallback queued in a watcher callback (or a promise continuation) of the loop stalls until something wakes it',
  'view-watcher': "a watcher created through a view: after the view's destroy() its kind-specific members throw LoopDestroyedError on a live loop",
  'feed-self-inactive': 'feed() of an inactive watcher (an expired one-shot) from its own callback is silently dropped',
  'once-after-detach': 'after attach()/detach(), a sent Async or a raised signal may run at the start of the next run() (before prepares and runCallbacks) and run({once}) then blocks in the poll',
  'attached-again-pending': 'attached: Timer.again() that stops a timer does not cancel a fed event the loop thread already took',
  'counts-in-batch': 'inside a blocking batch, activeCount/refCount still count expired one-shots whose callback has not run yet',
  'detach-in-continuation': 'attached: detach() in a callback or a promise continuation of one throws ERR_EVKIT_IN_CALLBACK (it detaches; the rest of the batch waits for the next run)',
  'error-after-detach': 'attached: the error of a callback that detached its own loop reaches no uncaughtException; the next run() rethrows it, or it is lost if the loop is destroyed first',
} as const;

export type KnownItem = keyof typeof KNOWN_ITEMS;

/** What FUZZ_SKIP defaults to: the items not fixed yet (remove one once its fix is merged). */
export const DEFAULT_SKIP: readonly KnownItem[] = [];

export interface Switches {
  skip: ReadonlySet<KnownItem>;
  /** Check Node's argument error codes (ERR_INVALID_ARG_TYPE, ...); FUZZ_CHECK_CODES=0 turns it off. */
  checkCodes: boolean;
}

export function parseSkip(value: string | undefined): Set<KnownItem> {
  if (value === undefined) return new Set(DEFAULT_SKIP);
  const skip = new Set<KnownItem>();
  for (const raw of value.split(',')) {
    const name = raw.trim();
    if (name === '' || name === 'none') continue;
    if (name === 'all') {
      for (const k of Object.keys(KNOWN_ITEMS) as KnownItem[]) skip.add(k);
      continue;
    }
    if (!Object.hasOwn(KNOWN_ITEMS, name)) {
      throw new Error(`FUZZ_SKIP: unknown item ${JSON.stringify(name)}; known: ${Object.keys(KNOWN_ITEMS).join(', ')}, all, none`);
    }
    skip.add(name as KnownItem);
  }
  return skip;
}

export function switchesFromEnv(env: NodeJS.ProcessEnv = process.env): Switches {
  return { skip: parseSkip(env.FUZZ_SKIP), checkCodes: env.FUZZ_CHECK_CODES !== '0' };
}

/** Plain data for the child process. */
export function encodeSwitches(s: Switches): { skip: string[]; checkCodes: boolean } {
  return { skip: [...s.skip], checkCodes: s.checkCodes };
}

export function decodeSwitches(d: { skip: string[]; checkCodes: boolean }): Switches {
  return { skip: new Set(d.skip as KnownItem[]), checkCodes: d.checkCodes };
}
