// A user's ES module: a blocking loop fires a timer, then sleep() settles on
// the attached default loop.
import { Loop } from '@evkit/loop';
import { Timer, sleep } from '@evkit/timer';

const loop = new Loop();
let fired = 0;
new Timer(loop, 0.001).start(() => {
  fired += 1;
});
loop.run();
loop.destroy();
if (fired !== 1) throw new Error(`the timer fired ${fired} times, not once`);

// A top-level await that never settles ends the process with code 13, not 0.
await sleep(0.01);
console.log('esm: timer fired, sleep settled');
