// A user's CommonJS module: require() of evkit's ES modules (Node >= 20.19),
// the same timer and sleep() as esm.mjs.
const { Loop } = require('@evkit/loop');
const { Timer, sleep } = require('@evkit/timer');

const loop = new Loop();
let fired = 0;
new Timer(loop, 0.001).start(() => {
  fired += 1;
});
loop.run();
loop.destroy();
if (fired !== 1) throw new Error(`the timer fired ${fired} times, not once`);

// Without top-level await a promise that never settles would let Node exit 0.
let slept = false;
sleep(0.01).then(() => {
  slept = true;
});
process.on('exit', () => {
  if (slept) {
    console.log('cjs: timer fired, sleep settled');
  } else {
    console.error('sleep(0.01) did not settle');
    process.exitCode = 1;
  }
});
