// Two copies of @evkit/loop in one process (a nested install, two versions)
// cannot share loops: each has its own Loop class and loop state, so a
// watcher package that resolved the other copy would reject or mishandle a
// Loop made by this one. Every copy registers itself on the realm's global;
// the second to load warns at once, and a Loop from another copy is named as
// such when it reaches a check.
import { fileURLToPath } from 'node:url';

/** This copy's package directory. */
export const OWN_PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

const kCopies = Symbol.for('evkit.loop.copies');
/** On Loop.prototype: the package directory of the copy whose class made the loop. */
export const kLoopCopy = Symbol.for('evkit.loop.copy');

type WithCopies = typeof globalThis & { [kCopies]?: string[] };

/** Records this copy; warns (once, code EVKIT_DUPLICATE_LOOP) when another copy was loaded before. */
export function registerCopy(): void {
  const global = globalThis as WithCopies;
  const copies = global[kCopies] ?? [];
  if (global[kCopies] === undefined) Object.defineProperty(global, kCopies, { value: copies, enumerable: false });
  if (copies.includes(OWN_PACKAGE_DIR)) return;
  copies.push(OWN_PACKAGE_DIR);
  if (copies.length === 2) {
    process.emitWarning(`${duplicateSummary(copies)} Loops of one copy cannot be used by watchers of the other.`, {
      code: 'EVKIT_DUPLICATE_LOOP',
    });
  }
}

/** The package directory of the copy that made `value`, when it is a Loop of another copy. */
export function foreignLoopCopy(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const dir = (value as { [kLoopCopy]?: unknown })[kLoopCopy];
  return typeof dir === 'string' && dir !== OWN_PACKAGE_DIR ? dir : undefined;
}

/** The message that names the copies loaded and how to get down to one. */
export function duplicateSummary(copies: readonly string[]): string {
  return [
    'Two copies of @evkit/loop are loaded:',
    ...copies.map((dir) => `  ${dir}`),
    'Every @evkit package must share one @evkit/loop: install matching versions, then run `npm dedupe`',
    'or `pnpm dedupe` (`npm ls @evkit/loop` shows who pulls each copy).',
  ].join('\n');
}
