#!/usr/bin/env node
// pnpm fuzz [--ops N] [--seed S] [--replay file.json] [--shrink-seconds N]
// Environment: FUZZ_SEED, FUZZ_OPS, FUZZ_SKIP (see switches.ts), FUZZ_CHECK_CODES=0.
import fs from 'node:fs';
import { campaign, runIsolated } from './runner.js';
import type { Sequence } from './ops.js';
import { KNOWN_ITEMS, switchesFromEnv } from './switches.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    console.log('pnpm fuzz [--ops N] [--seed S] [--replay file.json] [--shrink-seconds N]');
    console.log('env FUZZ_SKIP=item,... (default: every known item; "none" checks all):');
    for (const [k, v] of Object.entries(KNOWN_ITEMS)) console.log(`  ${k}: ${v}`);
    return 0;
  }
  const switches = switchesFromEnv();
  console.log(`[fuzz] skipping known items: ${[...switches.skip].join(',') || 'none'}; argument codes ${switches.checkCodes ? 'checked' : 'not checked'}`);
  const replay = arg('replay');
  if (replay !== undefined) {
    const data = JSON.parse(fs.readFileSync(replay, 'utf8')) as Sequence | Sequence[];
    const seqs = Array.isArray(data) ? data : [data];
    let bad = 0;
    for (const [i, seq] of seqs.entries()) {
      const r = await runIsolated(seq, switches);
      console.log(`[fuzz] replay ${i}: ${r.kind === 'ok' ? 'ok' : r.kind === 'diverged' ? `divergence at op ${r.at}: ${r.message}` : `${r.kind}: ${r.message}`}`);
      if (r.kind !== 'ok') bad++;
    }
    return bad === 0 ? 0 : 1;
  }
  const seedArg = arg('seed') ?? process.env.FUZZ_SEED;
  const seed = seedArg !== undefined ? Number(seedArg) | 0 : (Math.random() * 2 ** 31) | 0;
  const ops = Number(arg('ops') ?? process.env.FUZZ_OPS ?? 100_000);
  const shrinkMs = Number(arg('shrink-seconds') ?? 60) * 1000;
  console.log(`[fuzz] seed ${seed} (FUZZ_SEED=${seed} to repeat), target ${ops} ops`);
  const r = await campaign({ seed, ops, switches, shrinkMs });
  console.log(`[fuzz] ${r.ok ? 'PASS' : 'FAIL'}: ${r.sequences} sequences, ${r.ops} ops in ${(r.ms / 1000).toFixed(1)} s (${r.opsPerSecond} ops/s), seed ${r.seed}`);
  return r.ok ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e);
  process.exit(2);
});
