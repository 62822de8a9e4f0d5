// The test-only native helpers (evkit_testing.node) for evkit's tests, test
// fixtures and bench. Private: no published package contains or loads it.
// The checks that need evkit's own state use @evkit/core-native's binding.
import { createRequire } from 'node:module';
import { binding } from '@evkit/core-native/binding';

const require = createRequire(import.meta.url);

function load() {
  const tried = [];
  for (const file of ['./native/build/Release/evkit_testing.node', './native/build/Debug/evkit_testing.node']) {
    try {
      return require(file);
    } catch (error) {
      tried.push(`  ${file}: ${String(error.message).split('\n')[0]}`);
    }
  }
  throw new Error(
    ['@evkit/native-testing: could not load the test addon. Tried:', ...tried, 'Build it with `pnpm --filter @evkit/native-testing build`.'].join('\n'),
  );
}

const addon = load();

/** The live evkit loop state behind `ptr` (this thread's), or a RangeError. */
function liveLoop(ptr, what) {
  if (typeof ptr !== 'bigint' || ptr <= 0n || ptr >= 2n ** 64n) throw new RangeError(`${what}: not a live evkit loop of this thread`);
  const owner = binding.Loop.lookup(ptr);
  if (typeof owner !== 'object' || owner === null || owner.native === undefined || owner.native.destroyed()) {
    throw new RangeError(`${what}: not a live evkit loop of this thread`);
  }
  return owner;
}

export const testing = {
  socketpair: () => addon.socketpair(),
  rawLoopNew: () => addon.rawLoopNew(),
  rawLoopDestroy: (ptr) => addon.rawLoopDestroy(ptr),
  rawLoopRunNowait: (ptr) => addon.rawLoopRunNowait(ptr),

  sigaction(signum) {
    const sa = addon.sigaction(signum);
    if (sa === null) throw new RangeError('not a signal number');
    const state = binding.signalChainState(signum);
    return { handler: sa.handler, flags: sa.flags, chain: state !== null && sa.handler === state.handler };
  },

  signalChain(signum) {
    const state = binding.signalChainState(signum);
    if (state === null) throw new RangeError('not a signal number');
    const { chained, envs, watchers, raised } = state;
    return { chained, envs, watchers, raised };
  },

  forkProbe(ptr, reinit) {
    const owner = liveLoop(ptr, 'forkProbe');
    const native = owner.native;
    let refusal = null;
    if (native.attached()) {
      refusal = 'the loop is attached (its thread and mutex do not exist in a child)';
    } else if (native.inCallback()) {
      refusal = 'the loop is running';
    } else if (native.activeCount() !== 0 || native.pendingCount() !== 0 || owner.queuedCallbacks > 0) {
      refusal = 'the loop has active or pending watchers or queued callbacks (they would call JS in the child)';
    }
    if (refusal !== null) throw new Error(`forkProbe: ${refusal}`);
    return addon.forkProbe(ptr, reinit === true);
  },

  apiProbe: (api, ptr, otherPtr) => addon.apiProbe(api, ptr, otherPtr),
  apiLeave: (api, ptr) => addon.apiLeave(api, ptr),
  apiAfterDestroy: (api, ptr) => addon.apiAfterDestroy(api, ptr),
};
