// Attached loop: a runCallback whose promise continuation queues another
// runCallback. api.md: "a pending callback keeps the loop alive" and the
// queue runs before the loop blocks. Seen: the second callback does not run
// until something else wakes the loop (here: never within 2 s).
import { Loop } from '@evkit/loop';

const loop = new Loop();
loop.attach();
const t0 = performance.now();
const ran = await new Promise((resolve) => {
  loop.runCallback(() => {
    Promise.resolve().then(() => loop.runCallback(() => resolve(true)));
  });
  setTimeout(() => resolve(false), 2000);
});
console.log(ran ? `ok: second callback ran after ${(performance.now() - t0).toFixed(1)} ms` : `BUG: second callback still queued after 2 s (refCount=${loop.refCount})`);
loop.destroy();
