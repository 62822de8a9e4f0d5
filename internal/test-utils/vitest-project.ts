// The vitest project of a workspace package, in one line of its
// vitest.config.ts: `export default evkitProject(import.meta.url);`. The name is
// the package's name without its scope; `overrides` are merged in (e.g.
// `{ test: { testTimeout: 60_000 } }` for a package that needs longer).
import { readFileSync } from 'node:fs';
import { defineProject, mergeConfig, type UserWorkspaceConfig } from 'vitest/config';
import { evkitAliases } from './vitest-aliases.js';

export function evkitProject(configUrl: string, overrides: UserWorkspaceConfig = {}): UserWorkspaceConfig {
  const { name } = JSON.parse(readFileSync(new URL('./package.json', configUrl), 'utf8')) as { name: string };
  const base = defineProject({
    resolve: { alias: evkitAliases },
    test: {
      name: name.replace(/^@evkit\//, ''),
      include: ['test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 20_000,
    },
  });
  return mergeConfig(base, overrides) as UserWorkspaceConfig;
}
