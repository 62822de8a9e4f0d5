import { defineProject } from 'vitest/config';

// No resolve aliases: the bench runs against the built packages (packages/*/dist).
export default defineProject({
  test: { name: 'bench', include: ['test/**/*.test.ts'], environment: 'node', testTimeout: 600_000 },
});
