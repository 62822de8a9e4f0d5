import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the addon is looked for, relative to this file (lib/ or dist/). */
export const ADDON_CANDIDATES = ['../build/Release/evkit.node', '../build/Debug/evkit.node'];

/**
 * Test hook: when set, the addon is loaded from this path and nowhere else.
 * scripts/asan.sh points it at the sanitizer build; it is not meant for
 * applications.
 */
export const ADDON_PATH_ENV = 'EVKIT_ADDON_PATH';

/** Loads the compiled addon; on failure lists every path tried and why it failed. */
export function loadAddon<T>(candidates: readonly string[] = ADDON_CANDIDATES, base: string = import.meta.url): T {
  const require = createRequire(base);
  const failures: string[] = [];
  const override = process.env[ADDON_PATH_ENV];
  const files = override
    ? [path.resolve(override)]
    : candidates.map((candidate) => fileURLToPath(new URL(candidate, base)));
  for (const file of files) {
    try {
      return require(file) as T;
    } catch (error) {
      failures.push(`  ${file}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(
    [
      `@evkit/core-native: could not load the native addon${override ? ` (${ADDON_PATH_ENV} is set)` : ''}. Tried:`,
      ...failures,
      'Rebuild it with `pnpm --filter @evkit/core-native build:native`.',
      'It links the system libev: install libev-dev (Debian/Ubuntu), libev-devel (Fedora) or libev (Homebrew).',
    ].join('\n'),
  );
}
