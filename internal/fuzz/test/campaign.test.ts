// The CI-sized campaign: at least 100,000 generated ops against the built
// packages, in child processes. FUZZ_SEED repeats a run, FUZZ_OPS changes its
// size, FUZZ_SKIP / FUZZ_CHECK_CODES select the checks (src/switches.ts).
import { expect, test } from 'vitest';
import { campaign } from '../dist/runner.js';
import { switchesFromEnv } from '../dist/switches.js';

test('model-based fuzz campaign finds no divergence', async () => {
  // CI uses a fixed seed (a random one with FUZZ_SEED=random); pnpm fuzz explores random seeds.
  const raw = process.env.FUZZ_SEED ?? '3';
  const seed = raw === 'random' ? (Math.random() * 2 ** 31) | 0 : Number(raw) | 0;
  const ops = Number(process.env.FUZZ_OPS ?? 100_000);
  const switches = switchesFromEnv();
  console.log(`[fuzz] seed ${seed} (FUZZ_SEED=${seed} to repeat), target ${ops} ops, skipping: ${[...switches.skip].join(',') || 'none'}`);
  const r = await campaign({ seed, ops, switches, shrinkMs: 60_000, log: (l) => console.log(l) });
  console.log(`[fuzz] ${r.sequences} sequences, ${r.ops} ops in ${(r.ms / 1000).toFixed(1)} s (${r.opsPerSecond} ops/s), seed ${seed}`);
  expect(r.failure?.message ?? 'no divergence', `seed ${seed}; shrunk sequence in ${r.failure?.file}`).toBe('no divergence');
  expect(r.ops).toBeGreaterThanOrEqual(ops);
}, 420_000);
