// What a TypeScript user writes: every value below has a declared type, so
// the check fails if evkit's .d.ts files cannot be found or disagree.
import { Loop } from '@evkit/loop';
import { Timer, sleep } from '@evkit/timer';

const loop: Loop = new Loop();
const timer: Timer = new Timer(loop, 0.001, 0);
timer.start(function (this: Timer) {
  const left: number = this.remaining;
  console.log(left);
});
const more: boolean = loop.run();
const slept: Promise<void> = sleep(0.01, { loop: Loop.default });
await slept;
loop.destroy();
console.log(more);

// @ts-expect-error a Timer needs a loop
new Timer();
