// Tests run against the TypeScript sources of every workspace package, so one
// copy of each class exists in a test process (fixtures in child processes and
// workers use the built dist instead). The list is derived from the packages'
// `exports`: a new package or subpath export needs no entry here.
import { exportedSources } from './workspace.js';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** One exact-match alias per exported specifier (so `@evkit/loop` never captures `@evkit/loop/internal`). */
export const evkitAliases: Array<{ find: RegExp; replacement: string }> = exportedSources().map(([specifier, source]) => ({
  find: new RegExp(`^${escape(specifier)}$`),
  replacement: source,
}));
