import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Loads the compiled addon; on failure lists every path tried and why it failed. */
export function loadAddon<T>(): T {
  const require = createRequire(import.meta.url);
  const candidates = ['../build/Release/evkit.node', '../build/Debug/evkit.node'];
  const failures: string[] = [];
  for (const candidate of candidates) {
    const file = fileURLToPath(new URL(candidate, import.meta.url));
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
