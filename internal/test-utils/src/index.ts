// Shared fixtures for evkit's tests: a fresh loop per test and a check that
// the test left it clean (libuv's MAKE_VALGRIND_HAPPY, in evkit form).
//
// Cleanup never depends on the test passing: every loop a fixture hands out is
// destroyed after the test whatever happened, so a failed assertion cannot
// leave a watcher behind for the next test. A loop left dirty is reported only
// when the test itself passed; when it failed, its leftovers are a consequence
// of that failure, not a second one. vitest skips the remaining afterEach
// hooks of a test once one throws, so each fixture also clears, before the
// next test, whatever a skipped afterEach left.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, vi, type TestContext } from 'vitest';
import { Loop, Watcher, type LoopOptions, type NativeKind } from '@evkit/loop';
import { WatcherKind, binding } from '@evkit/core-native/binding';

type LoopState = { active: number; pending: number; ref: number };

function stateOf(loop: Loop): LoopState {
  return { active: loop.activeCount, pending: loop.pendingCount, ref: loop.refCount };
}

const CLEAN: LoopState = { active: 0, pending: 0, ref: 0 };

/** Whether the test this afterEach hook runs for has already failed. */
export function testFailed(context: TestContext | undefined): boolean {
  return context?.task.result?.state === 'fail';
}

/**
 * Destroys `loop` (always, even if reading its state throws), then asserts
 * nothing was left active, pending or referenced on it, unless `check` is false.
 */
export function expectLoopClean(loop: Loop, check = true): void {
  if (loop.destroyed) return;
  let state: LoopState | undefined;
  try {
    state = stateOf(loop);
  } finally {
    loop.destroy();
  }
  if (check) expect(state, 'loop left dirty by the test').toEqual(CLEAN);
}

/**
 * Returns `track(loop)`: every loop passed to it is destroyed after the test,
 * in order, even if the test or an earlier destroy threw, and checked clean if
 * the test passed (`check: false` only destroys).
 */
export function useLoops(options: { check?: boolean } = {}): <L extends Loop>(loop: L) => L {
  const loops: Loop[] = [];
  beforeEach(() => {
    for (const loop of loops.splice(0)) if (!loop.destroyed) loop.destroy();
  });
  afterEach((context) => {
    const check = options.check !== false && !testFailed(context);
    const errors: unknown[] = [];
    for (const loop of loops.splice(0)) {
      try {
        expectLoopClean(loop, check);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} loops left dirty`);
  });
  return (loop) => {
    loops.push(loop);
    return loop;
  };
}

/** Returns a getter for a fresh loop per test, destroyed after each test and checked clean if it passed. */
export function useFreshLoop(options?: LoopOptions): () => Loop {
  let loop: Loop | undefined;
  beforeEach(() => {
    if (loop && !loop.destroyed) loop.destroy();
    loop = undefined;
  });
  afterEach((context) => {
    const current = loop;
    loop = undefined;
    if (current) expectLoopClean(current, !testFailed(context));
  });
  return () => (loop ??= new Loop(options));
}

/**
 * After each test, checks that `Loop.default` has nothing active or referenced.
 * If it has, it is destroyed (the next `Loop.default` is a fresh loop), so the
 * leftovers of one test never fail the tests after it.
 */
export function useCleanDefaultLoop(): void {
  afterEach((context) => {
    const loop = Loop.default;
    const state = { active: loop.activeCount, ref: loop.refCount };
    if (state.active === 0 && state.ref === 0) return;
    loop.destroy();
    if (!testFailed(context)) expect(state, 'Loop.default left dirty by the test').toEqual({ active: 0, ref: 0 });
  });
}

/**
 * A test that needs a quiet machine (it measures the machine's timing, not only
 * evkit's order of events): vitest retries it once, and the retry is logged
 * to stderr with the first attempt's errors, never silent. Keep these few.
 */
export const QUIET_MACHINE = { retry: 1 } as const;

/** Call first thing in a QUIET_MACHINE test: logs when this attempt is the retry. */
export function logRetry(context: TestContext): void {
  const result = context.task.result;
  if (!result?.retryCount) return;
  const errors = (result.errors ?? []).map((e) => e.message.split('\n')[0]).join(' | ');
  console.warn(`[retry] "${context.task.name}" failed once on a busy machine and runs again (first attempt: ${errors})`);
}

class IterationCounter extends Watcher {
  constructor(loop: Loop, options: { ref: boolean }) {
    super(loop, options);
  }

  protected override get nativeKind(): NativeKind {
    return { kind: WatcherKind.Prepare };
  }
}

/**
 * Counts the iterations of `loop` with an unreferenced prepare watcher (it
 * neither keeps the loop alive nor wakes it). "run() returns at once" is then
 * "run() did one iteration", whatever the machine's speed.
 */
export function countIterations(loop: Loop): { readonly count: number; stop(): void } {
  let count = 0;
  const watcher = new IterationCounter(loop, { ref: false });
  watcher.start(() => count++);
  return {
    get count() {
      return count;
    },
    stop: () => watcher.close(),
  };
}

/**
 * The test timeout of files whose tests start child processes or workers
 * (call `useProcessTimeout()` at the top of such a file). A Node process that
 * starts in a quarter of a second on an idle machine can take many seconds on
 * a loaded one; like every timeout here it only catches hangs.
 */
export const PROCESS_TEST_TIMEOUT_MS = 120_000;

/** Gives every test of the calling file PROCESS_TEST_TIMEOUT_MS. */
export function useProcessTimeout(): void {
  vi.setConfig({ testTimeout: PROCESS_TEST_TIMEOUT_MS });
}

/**
 * Runs a fixture script in a child process (process-global behaviour is tested
 * this way). Fixtures import the built packages, so they see the dist code.
 * The default timeout (60 s) is a hang guard, far above a loaded machine's
 * startup time.
 */
export function runFixture(
  file: string | URL,
  options: { args?: string[]; execArgv?: string[]; timeoutMs?: number; input?: string; nofile?: number } = {},
): SpawnSyncReturns<string> {
  const path = typeof file === 'string' ? file : fileURLToPath(file);
  const argv = [process.execPath, ...(options.execArgv ?? []), path, ...(options.args ?? [])];
  // nofile: the child's RLIMIT_NOFILE (soft and hard), set by the shell before exec.
  const [command, ...args] =
    options.nofile === undefined ? argv : ['/bin/sh', '-c', 'ulimit -n "$0" && exec "$@"', String(options.nofile), ...argv];
  return spawnSync(command as string, args, {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    input: options.input ?? '',
  });
}

/** The JSON lines a fixture printed (other lines are skipped). */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A fixture's description of a thrown error: `{ name, code, message, cause }`. */
export interface FixtureError {
  name: string;
  code?: string;
  message: string;
  cause?: string | null;
}

/** Asserts a fixture-reported error is an EvError that names EMFILE / "too many open files". */
export function expectEmfileError(error: unknown, context = ''): void {
  const e = error as FixtureError | undefined;
  expect(e?.name, `${context} ${JSON.stringify(error)}`).toBe('EvError');
  expect(`${e!.message} ${e!.cause ?? ''}`, context).toMatch(/EMFILE|too many open files/i);
}

/**
 * Runs a fixture that fills its fd table (with `@evkit/test-utils/fd-table`)
 * under RLIMIT_NOFILE `nofile`, asserts it was neither killed (a hang) nor
 * failed and that it printed `{"done":true}` last (and nothing on stderr, if
 * `quiet`), and returns the JSON lines before that one: one per case.
 */
export function fdLimitCases(
  file: URL,
  options: { nofile: number; timeoutMs: number; args?: string[]; quiet?: boolean },
): Array<Record<string, unknown>> {
  const result = runFixture(file, options);
  if (options.quiet) expect(result.stderr).toBe('');
  const lines = jsonLines(result.stdout);
  const where = `reached: ${JSON.stringify(lines.at(-1))}; stderr: ${result.stderr.slice(0, 300)}`;
  expect(result.signal, `killed (hang, or an output flood) — ${where}`).toBe(null);
  expect(result.status, where).toBe(0);
  expect(lines.at(-1)).toEqual({ done: true });
  return lines.slice(0, -1);
}

/**
 * Asserts that each case of an fd-limit fixture either worked (`works` holds;
 * it asserts on the case) or reported an EvError naming EMFILE, and that the
 * cases `mustWork` selects did work and those `mustFail` selects did not.
 */
export function expectWorksOrEmfile(
  cases: Array<Record<string, unknown>>,
  works: (c: Record<string, unknown>) => void,
  expected: { mustWork?: (c: Record<string, unknown>) => boolean; mustFail?: (c: Record<string, unknown>) => boolean } = {},
): void {
  for (const c of cases) {
    const must = expected.mustFail?.(c) ? 'fail' : expected.mustWork?.(c) ? 'work' : 'either';
    if (must === 'fail' || (must === 'either' && c.error !== undefined)) expectEmfileError(c.error, JSON.stringify(c));
    else works(c);
  }
}
