// api.md: runCallback's queue "runs once per iteration before the loop
// blocks"; a queued callback keeps the loop alive. A Prepare of priority < 0
// runs after evkit's drain prepare (priority 0); a callback it queues is left
// for the next iteration, and the loop then blocks in the poll as if nothing
// were queued: here until the 2 s alarm timer (without it: 60 s, libev's
// longest block, for every iteration).
import { Loop } from '@evkit/loop';
import { Prepare } from '@evkit/prepare-check';
import { Timer } from '@evkit/timer';

const loop = new Loop();
new Timer(loop, 2).start(() => {}); // alarm
let ran = false;
const prepare = new Prepare(loop, { priority: -1 }).start(() => {
  prepare.stop();
  loop.runCallback(() => { ran = true; });
});
const t0 = Date.now();
loop.run({ once: true }); // iteration 1: prepare queues the callback, then the poll
const ms = Date.now() - t0;
console.log(`${ms > 1000 ? 'BUG' : 'ok'}: the poll of iteration 1 took ${ms} ms with a runCallback queued (callback ran: ${ran})`);
loop.destroy();
