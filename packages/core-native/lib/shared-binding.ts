// One native core per JavaScript realm. A second copy of @evkit/core-native
// (a nested install, two versions side by side) would otherwise load a second
// addon with its own loops, ids and libev, and a watcher from one copy on a
// loop from the other would silently never run. Instead the first copy to load
// publishes its binding on the realm's global, and later copies use it when
// they speak the same ABI, or stop with an error that names both copies.
import { fileURLToPath } from 'node:url';

/** Where the first copy publishes itself (per realm: every worker has its own). */
const kShared = Symbol.for('evkit.core-native.binding');

interface Shared<T> {
  binding: T;
  /** The package directory of the copy that loaded it. */
  from: string;
}

interface WithAbi {
  abi: { major: number; minor: number };
}

/** This copy's package directory, for messages. */
export const OWN_PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * The binding this realm already uses, or `load()`'s, published for later copies.
 * Throws when a copy already loaded speaks another ABI major (or an older minor).
 */
export function sharedBinding<T extends WithAbi>(load: () => T, abiMajor: number, abiMinor: number): T {
  const global = globalThis as typeof globalThis & { [kShared]?: Shared<T> };
  const existing = global[kShared];
  if (existing === undefined) {
    const binding = load();
    Object.defineProperty(global, kShared, { value: { binding, from: OWN_PACKAGE_DIR }, enumerable: false });
    return binding;
  }
  const { major, minor } = existing.binding.abi;
  if (major === abiMajor && minor >= abiMinor) return existing.binding;
  const error = new Error(
    [
      'Two copies of @evkit/core-native are loaded and their native ABIs differ:',
      `  ${existing.from} (ABI ${major}.${minor}, loaded first)`,
      `  ${OWN_PACKAGE_DIR} (needs ABI ${abiMajor}.${abiMinor} or a later minor)`,
      'Every @evkit package must share one @evkit/core-native: install matching versions,',
      'then run `npm dedupe` or `pnpm dedupe` (or `npm ls @evkit/core-native` to see who pulls each copy).',
    ].join('\n'),
  ) as Error & { code: string };
  error.code = 'ERR_EVKIT_DUPLICATE';
  throw error;
}
