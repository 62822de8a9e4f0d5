import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Where the addon is looked for, relative to this file (lib/ or dist/). */
export const ADDON_CANDIDATES = ['../build/Release/evkit.node', '../build/Debug/evkit.node'];

/** Loads the compiled addon; on failure lists every path tried and why it failed. */
export function loadAddon<T>(candidates: readonly string[] = ADDON_CANDIDATES, base: string = import.meta.url): T {
  const require = createRequire(base);
  const failures: string[] = [];
  for (const candidate of candidates) {
    const file = fileURLToPath(new URL(candidate, base));
    try {
      return require(file) as T;
    } catch (error) {
      failures.push(`  ${file}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(
    [
      '@evkit/core-native: could not load the native addon. Tried:',
      ...failures,
      'Rebuild it with `pnpm --filter @evkit/core-native build:native`.',
      'It links the system libev: install libev-dev (Debian/Ubuntu), libev-devel (Fedora) or libev (Homebrew).',
    ].join('\n'),
  );
}
