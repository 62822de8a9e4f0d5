// For fixtures that run out of file descriptors on purpose (a child process
// started with a low RLIMIT_NOFILE): fill the fd table, give fds back a few at
// a time, and report each case as one JSON line as soon as it is done, so a
// hang shows where it happened.
//
// Plain JavaScript, because fixtures run under plain node, without vitest and
// without TypeScript; they import it as '@evkit/test-utils/fd-table'. It
// imports no @evkit package (test-utils depends on none): a fixture passes its
// own Loop class in.
import { closeSync, openSync } from 'node:fs';

/** The backends the fd-limit fixtures make loops with (they run on Linux). */
export const BACKENDS = ['epoll', 'poll', 'select'];

/** Prints `value` as one JSON line: a fixture's report of one case. */
export function report(value) {
  console.log(JSON.stringify(value));
}

/** A thrown value as plain data, `{ name, code, message, cause }` for an Error. */
export function errorData(error) {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error) };
  return { name: error.name, code: error.code, message: error.message, cause: error.cause?.message ?? null };
}

/** Holds fds of /dev/null so that the process has none left to open. */
export class FdTable {
  #held = [];
  #freed = 0;

  /**
   * Opens /dev/null until open() fails with EMFILE (any other failure is
   * thrown) and keeps every fd it got. Call it again after something gave fds
   * back (a destroyed loop) to fill the table again.
   */
  fill() {
    try {
      for (;;) this.#held.push(openSync('/dev/null', 'r'));
    } catch (error) {
      if (error.code !== 'EMFILE') throw error;
    }
    this.#freed = 0;
    return this;
  }

  /** Closes held fds until `count` of them have been closed since the last fill(). */
  leaveFree(count) {
    for (; this.#freed < count; this.#freed++) closeSync(this.#held.pop());
  }

  /** Yields each of `counts` (ascending) after leaving that many fds free. */
  *freeing(counts) {
    for (const count of counts) {
      this.leaveFree(count);
      yield count;
    }
  }

  /** Closes every fd still held. */
  release() {
    for (const fd of this.#held.splice(0)) closeSync(fd);
  }
}

/**
 * One loop of each backend in BACKENDS, blocking and attached, made now (call
 * it before the table is filled): `[{ backend, blocking, attached }]`.
 */
export function loopsPerBackend(Loop) {
  return BACKENDS.map((backend) => ({
    backend,
    blocking: new Loop({ flags: backend }),
    attached: new Loop({ flags: backend }).attach(),
  }));
}

/**
 * The "made before" cases: runs `exercise(loop, attached)` as a case on each
 * loop of `loopsPerBackend()`, blocking then attached, reported as
 * `{ case: 'made-before', backend, mode, ... }`. With `destroy`, each
 * backend's two loops are destroyed after their cases (their fds are then free
 * for the next backend's); without, they stay until `destroyLoops()`.
 */
export async function casesMadeBefore(loops, exercise, { destroy = false } = {}) {
  for (const { backend, blocking, attached } of loops) {
    await runCase({ case: 'made-before', backend, mode: 'blocking' }, () => exercise(blocking, false));
    await runCase({ case: 'made-before', backend, mode: 'attached' }, () => exercise(attached, true));
    if (destroy) {
      blocking.destroy();
      attached.destroy();
    }
  }
}

/** Destroys the loops of `loopsPerBackend()`. */
export function destroyLoops(loops) {
  for (const { blocking, attached } of loops) {
    blocking.destroy();
    attached.destroy();
  }
}

/**
 * Runs one case: merges what `exercise()` resolves to into `result`, or sets
 * `result.error` to what it threw; then reports `result`.
 */
export async function runCase(result, exercise) {
  try {
    Object.assign(result, await exercise());
  } catch (error) {
    result.error = errorData(error);
  }
  report(result);
}

/**
 * The "made at the limit" cases: for each count of free fds in `counts`, for
 * each backend and each mode (blocking, attached), makes a loop (a failure to
 * make or attach it is the case's result), runs `exercise(loop, attached)` on
 * it as a case, and destroys it. Each case is reported as
 * `{ case: 'made-at-limit', backend, mode, free, ... }`.
 */
export async function casesAtLimit(table, { Loop, counts, backends }, exercise) {
  for (const free of table.freeing(counts)) {
    for (const backend of backends) {
      for (const mode of ['blocking', 'attached']) {
        const result = { case: 'made-at-limit', backend, mode, free };
        let loop;
        try {
          loop = new Loop({ flags: backend });
          if (mode === 'attached') loop.attach();
        } catch (error) {
          result.error = errorData(error);
          loop?.destroy();
          report(result);
          continue;
        }
        try {
          await runCase(result, () => exercise(loop, mode === 'attached'));
        } finally {
          loop.destroy();
        }
      }
    }
  }
}
