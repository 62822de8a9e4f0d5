// The campaign: fast-check generates sequences; a long-lived child runs them
// (fast path). A divergence, crash or hang fails the property; fast-check then
// shrinks it, each candidate in a fresh child (child-per-run), and the
// runner prints the seed and the smallest failing sequence.
import fs from 'node:fs';
import fc from 'fast-check';
import { ChildProc, type Outcome } from './childproc.js';
import { countOps, sequence } from './gen.js';
import type { Sequence } from './ops.js';
import type { Switches } from './switches.js';

export interface CampaignOptions {
  seed: number;
  /** stop once this many ops (bodies included) ran */
  ops: number;
  switches: Switches;
  /** per-sequence timeout */
  timeoutMs?: number;
  /** how long shrinking may take */
  shrinkMs?: number;
  /** where to write the failing sequence (for --replay) */
  failureFile?: string;
  log?: (line: string) => void;
}

export interface CampaignResult {
  ok: boolean;
  seed: number;
  sequences: number;
  ops: number;
  ms: number;
  opsPerSecond: number;
  failure?: { message: string; sequence: Sequence; file?: string; counterexamplePath?: string };
}

/** Runs per fast-check call; each call has its own seed (base seed + chunk index). */
export const CHUNK = 200;

const describe = (o: Outcome): string =>
  o.kind === 'ok' ? 'ok' :
  o.kind === 'diverged' ? `divergence at op ${o.at}: ${o.message}` : `${o.kind}: ${o.message}`;

/** Runs one sequence in a fresh child (crash-proof). */
export async function runIsolated(seq: Sequence, switches: Switches, timeoutMs = 30_000): Promise<Outcome> {
  const child = new ChildProc(switches);
  try {
    return await child.run(seq, timeoutMs);
  } finally {
    child.kill();
  }
}

export async function campaign(opts: CampaignOptions): Promise<CampaignResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const shrinkMs = opts.shrinkMs ?? 60_000;
  const t0 = performance.now();
  let child = new ChildProc(opts.switches);
  let ops = 0;
  let sequences = 0;
  let failed = false;
  let shrinkDeadline = Infinity;
  let shrinkIsolated = false;
  let lastMessage = '';
  let history: Sequence[] = [];

  const property = fc.asyncProperty(sequence(), async (seq) => {
    if (!failed) {
      if (ops >= opts.ops) return true; // budget reached: the rest of the chunk passes at once
      history.push(seq);
      if (history.length > 50) history = history.slice(-50);
      let outcome = await child.run(seq, timeoutMs);
      if (outcome.kind === 'crashed' || outcome.kind === 'hung') {
        // Find the culprit: the sequence alone in a fresh child, then the recent history.
        child.kill();
        child = new ChildProc(opts.switches);
        const alone = await runIsolated(seq, opts.switches, timeoutMs);
        if (alone.kind === 'ok') {
          log(`[fuzz] ${describe(outcome)} in the long-lived child, but the sequence passes alone: replaying the last ${history.length} sequences in one fresh child`);
          const replay = new ChildProc(opts.switches);
          let culprit: Outcome | null = null;
          for (const s of history) {
            const r = await replay.run(s, timeoutMs);
            if (r.kind !== 'ok') {
              culprit = r;
              break;
            }
          }
          replay.kill();
          if (culprit === null) {
            // A hang may be the machine (a timeout under load); a crash never is.
            if (outcome.kind === 'crashed') {
              const file = `fuzz-history-${opts.seed}.json`;
              fs.writeFileSync(file, JSON.stringify(history, null, 1));
              throw new Error(`${describe(outcome)}, not reproduced in a fresh child (history in ${file}): a crash is a bug even when it hides`);
            }
            log('[fuzz] could not reproduce the hang; continuing');
            return true;
          }
          const file = `fuzz-history-${opts.seed}.json`;
          fs.writeFileSync(file, JSON.stringify(history, null, 1));
          throw new Error(`${describe(culprit)} (depends on earlier sequences in the same process; history in ${file})`);
        }
        outcome = alone;
      }
      if (outcome.kind === 'ok') {
        ops += outcome.ops;
        sequences++;
        if (sequences % 500 === 0) log(`[fuzz] ${sequences} sequences, ${ops} ops, ${Math.round(ops / ((performance.now() - t0) / 1000))} ops/s`);
        return true;
      }
      failed = true;
      shrinkDeadline = performance.now() + shrinkMs;
      shrinkIsolated = outcome.kind !== 'diverged';
      if (shrinkIsolated) child.kill();
      lastMessage = describe(outcome);
      log(`[fuzz] FAILED after ${sequences} sequences: ${lastMessage}`);
      log(`[fuzz] shrinking (${shrinkIsolated ? 'a fresh child per candidate' : 'in one child'}, up to ${shrinkMs / 1000} s)...`);
      throw new Error(lastMessage);
    }
    // shrinking: a divergence in the long-lived child (fast), a crash or hang in a fresh child per candidate
    if (performance.now() > shrinkDeadline) return true;
    let outcome: Outcome;
    if (shrinkIsolated) outcome = await runIsolated(seq, opts.switches, timeoutMs);
    else {
      if (child.dead) child = new ChildProc(opts.switches);
      outcome = await child.run(seq, timeoutMs);
      if (outcome.kind !== 'ok' && outcome.kind !== 'diverged') {
        child.kill();
        outcome = await runIsolated(seq, opts.switches, timeoutMs);
      }
    }
    if (outcome.kind === 'ok') return true;
    lastMessage = describe(outcome);
    throw new Error(lastMessage);
  });

  // Chunks of CHUNK runs, chunk k seeded with seed + k, until the op budget is spent.
  let details: fc.RunDetails<[Sequence]> | null = null;
  let chunkSeed = opts.seed;
  for (let k = 0; ops < opts.ops; k++) {
    chunkSeed = (opts.seed + k) | 0;
    details = await fc.check(property, { seed: chunkSeed, numRuns: CHUNK, endOnFailure: false, verbose: 0 });
    if (details.failed) break;
  }
  if (child.dead) child.kill();
  else child.close();
  const ms = performance.now() - t0;
  const result: CampaignResult = { ok: details === null || !details.failed, seed: opts.seed, sequences, ops, ms, opsPerSecond: Math.round(ops / (ms / 1000)) };
  if (details !== null && details.failed && details.counterexample !== null) {
    const [seq] = details.counterexample;
    const file = opts.failureFile ?? `fuzz-failure-${opts.seed}.json`;
    fs.writeFileSync(file, JSON.stringify(seq, null, 1) + '\n');
    const msg = details.errorInstance instanceof Error ? details.errorInstance.message : lastMessage;
    result.failure = { message: msg, sequence: seq, file, counterexamplePath: details.counterexamplePath ?? undefined };
    log(`[fuzz] seed ${opts.seed} (chunk seed ${chunkSeed}), counterexample path ${details.counterexamplePath}`);
    log(`[fuzz] shrunk failing sequence (${countOps(seq.ops)} ops), saved to ${file}:\n${JSON.stringify(seq)}`);
    log(`[fuzz] ${msg}`);
    log(`[fuzz] replay: pnpm fuzz --replay ${file}`);
  }
  return result;
}
