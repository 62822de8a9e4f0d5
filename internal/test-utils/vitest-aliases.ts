// Tests run against the TypeScript sources of every workspace package, so one
// copy of each class exists in a test process (fixtures in child processes and
// workers use the built dist instead).
import { fileURLToPath } from 'node:url';

const root = new URL('../../packages/', import.meta.url);
const at = (path: string): string => fileURLToPath(new URL(path, root));

export const evkitAliases: Record<string, string> = {
  '@evkit/core-native/binding': at('core-native/lib/binding.ts'),
  '@evkit/core-native': at('core-native/lib/index.ts'),
  '@evkit/loop/internal': at('loop/src/internal.ts'),
  '@evkit/loop': at('loop/src/index.ts'),
  '@evkit/timer': at('timer/src/index.ts'),
  '@evkit/io': at('io/src/index.ts'),
  '@evkit/prepare-check': at('prepare-check/src/index.ts'),
  '@evkit/signal': at('signal/src/index.ts'),
  '@evkit/async': at('async/src/index.ts'),
  '@evkit/fork': at('fork/src/index.ts'),
  '@evkit/stat': at('stat/src/index.ts'),
  '@evkit/test-utils': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
  '@evkit/native-testing': fileURLToPath(new URL('../native-testing/index.js', import.meta.url)),
};
