// Shared fixtures for evkit's tests: a fresh loop per test and a check that
// the test left it clean (libuv's MAKE_VALGRIND_HAPPY, in evkit form).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, expect } from 'vitest';
import { Loop, type LoopOptions } from '@evkit/loop';

/** Asserts nothing is left active, pending or referenced on `loop`, then destroys it. */
export function expectLoopClean(loop: Loop): void {
  if (loop.destroyed) return;
  const state = { active: loop.activeCount, pending: loop.pendingCount, ref: loop.refCount };
  loop.destroy();
  expect(state, 'loop left dirty by the test').toEqual({ active: 0, pending: 0, ref: 0 });
}

/** Returns a getter for a fresh loop per test, checked clean after each test. */
export function useFreshLoop(options?: LoopOptions): () => Loop {
  let loop: Loop | undefined;
  afterEach(() => {
    const current = loop;
    loop = undefined;
    if (current) expectLoopClean(current);
  });
  return () => (loop ??= new Loop(options));
}

/**
 * Runs a fixture script in a child process (process-global behaviour is tested
 * this way). Fixtures import the built packages, so they see the dist code.
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
    timeout: options.timeoutMs ?? 30_000,
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
