// The seed's first program in evkit form: "a timer after 2 s, repeating every
// 3 s, printing the time". Until @evkit/timer lands, the schedule is kept with
// loop-phase watchers: an Idle watcher compares libev's clock with the next
// deadline (it keeps the loop polling without blocking), a Check watcher counts
// iterations, and runCallback prints. The demo ends by itself after 3 ticks.
import { Loop } from '@evkit/loop';
import { Check, Idle } from '@evkit/prepare-check';

const AFTER = 2;
const REPEAT = 3;
const TICKS = 3;

const loop = new Loop();
console.log(`evkit demo: libev loop on the ${loop.backend} backend; first tick in ${AFTER} s, then every ${REPEAT} s`);

let iterations = 0;
const counter = new Check(loop).start(() => {
  iterations++;
});

let ticks = 0;
let deadline = loop.now() + AFTER;
const clock = new Idle(loop).start(() => {
  if (loop.now() < deadline) return;
  ticks++;
  deadline += REPEAT;
  loop.runCallback((n: number) => {
    console.log(`tick ${n}: ${new Date().toISOString()} (loop iteration ${loop.iteration})`);
  }, ticks);
  if (ticks === TICKS) {
    clock.stop();
    counter.stop();
  }
});

loop.run();
console.log(`done after ${ticks} ticks and ${iterations} checks`);
loop.destroy();
