import { defineProject } from 'vitest/config';

// The campaign runs the built dist in child processes; the test only drives it.
export default defineProject({
  test: { name: 'fuzz', include: ['test/**/*.test.ts'], environment: 'node', testTimeout: 240_000 },
});
