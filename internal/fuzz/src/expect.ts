// What the model expects an operation to do, and how an actual outcome is judged.

export type ErrorClass = 'TypeError' | 'RangeError' | 'EvError' | 'WatcherClosedError' | 'LoopDestroyedError';

export type Expect =
  | { kind: 'ok' }
  /** The op is not performed (a skipped known item, or an op that makes no sense here). */
  | { kind: 'skip' }
  /** Timing decides (attached loops): any non-throwing outcome or an EvError is fine. */
  | { kind: 'either' }
  /** Timing decides more: success or any Error. */
  | { kind: 'any' }
  | { kind: 'throws'; cls: ErrorClass; code?: string; argCode?: string };

export const OK: Expect = { kind: 'ok' };
export const SKIP: Expect = { kind: 'skip' };
export const EITHER: Expect = { kind: 'either' };
export const ANY: Expect = { kind: 'any' };
export const throws = (cls: ErrorClass, code?: string): Expect => ({ kind: 'throws', cls, code });
/** An argument error: the class always, Node's code only when codes are checked. */
export const argError = (cls: 'TypeError' | 'RangeError', argCode: string): Expect => ({ kind: 'throws', cls, argCode });

export const closedError = (): Expect => throws('WatcherClosedError', 'ERR_EVKIT_WATCHER_CLOSED');
export const destroyedError = (): Expect => throws('LoopDestroyedError', 'ERR_EVKIT_LOOP_DESTROYED');

export interface ErrorClasses {
  EvError: new (...a: never[]) => Error;
  WatcherClosedError: new (...a: never[]) => Error;
  LoopDestroyedError: new (...a: never[]) => Error;
}

function describeThrown(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return `${e.constructor.name}${code !== undefined ? `[${String(code)}]` : ''}: ${e.message}`;
  }
  return `non-Error ${typeof e}: ${String(e)}`;
}

/** null when the outcome matches, else a description of the divergence. */
export function judge(
  expect: Expect,
  threw: boolean,
  error: unknown,
  classes: ErrorClasses,
  checkCodes: boolean,
): string | null {
  if (threw && !(error instanceof Error)) return `threw a non-Error: ${describeThrown(error)}`;
  switch (expect.kind) {
    case 'skip':
      return null;
    case 'ok':
      return threw ? `expected success, got ${describeThrown(error)}` : null;
    case 'any':
      return null;
    case 'either':
      if (!threw) return null;
      return error instanceof classes.EvError ? null : `expected success or an EvError, got ${describeThrown(error)}`;
    case 'throws': {
      if (!threw) return `expected ${expect.cls}${expect.code ? `[${expect.code}]` : ''}, but it succeeded`;
      const e = error as Error & { code?: unknown };
      const ctor =
        expect.cls === 'TypeError' ? TypeError
        : expect.cls === 'RangeError' ? RangeError
        : classes[expect.cls];
      if (!(e instanceof ctor)) return `expected ${expect.cls}, got ${describeThrown(e)}`;
      // Argument errors must not be EvErrors and vice versa.
      if ((expect.cls === 'TypeError' || expect.cls === 'RangeError') && e instanceof classes.EvError) {
        return `expected a plain ${expect.cls}, got ${describeThrown(e)}`;
      }
      if (expect.code !== undefined && e.code !== expect.code) return `expected code ${expect.code}, got ${describeThrown(e)}`;
      if (checkCodes && expect.argCode !== undefined && e.code !== expect.argCode) {
        return `expected code ${expect.argCode}, got ${describeThrown(e)}`;
      }
      return null;
    }
  }
}
