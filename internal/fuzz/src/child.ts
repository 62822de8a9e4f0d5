// The child process: runs sequences sent by the runner, one after the other,
// and answers each with its result. libev asserts abort the process, so the
// runner (not this file) notices crashes and hangs.
import { Executor } from './executor.js';
import type { Sequence } from './ops.js';
import { decodeSwitches } from './switches.js';
import { World } from './world.js';

export type ToChild = { type: 'run'; id: number; seq: Sequence; switches: { skip: string[]; checkCodes: boolean } };
export type FromChild =
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: boolean; divergence?: string; at?: string; ops: number; ms: number };

const world = new World();
let busy = Promise.resolve();

process.on('message', (msg: ToChild) => {
  if (msg.type !== 'run') return;
  busy = busy.then(async () => {
    const t0 = performance.now();
    world.reset();
    const exec = new Executor(world, decodeSwitches(msg.switches));
    const r = await exec.run(msg.seq);
    const reply: FromChild = { type: 'result', id: msg.id, ...r, ms: performance.now() - t0 };
    process.send?.(reply);
  });
});
process.on('disconnect', () => {
  world.dispose();
  process.exit(0);
});
process.send?.({ type: 'ready' } satisfies FromChild);
