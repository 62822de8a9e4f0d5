// The callback types a TypeScript user gets from start(): `this`, arguments
// inferred from start()'s args, `revents` first with passEvents. tsc checks
// test/types/callbacks.ts against the built declarations (dist/*.d.ts).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

it('start() types `this`, infers argument types and puts revents first with passEvents', () => {
  const project = fileURLToPath(new URL('./types/tsconfig.json', import.meta.url));
  const r = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
}, 60_000);
