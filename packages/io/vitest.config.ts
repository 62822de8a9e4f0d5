import { defineProject } from 'vitest/config';
import { evkitAliases } from '../../internal/test-utils/vitest-aliases.js';

export default defineProject({
  resolve: { alias: evkitAliases },
  test: { name: 'io', include: ['test/**/*.test.ts'], environment: 'node', testTimeout: 20_000 },
});
