// ev_timer_again() clears a pending event, and evkit's stop() cancels a
// delivery an attached loop has already queued. Timer.again() on a timer
// with repeat 0 stops it, yet on an attached loop an event fed just before
// (and already taken by the loop thread) is still delivered: the callback of
// a stopped timer runs. In a blocking run the same sequence runs nothing.
import { Loop } from '@evkit/loop';
import { Timer } from '@evkit/timer';

for (const op of ['again', 'stop']) {
  const loop = new Loop();
  loop.attach();
  let calls = 0;
  const timer = new Timer(loop, 1e4).start(() => calls++);
  timer.feed(0x01000000);
  const t0 = Date.now();
  while (Date.now() - t0 < 50) {} // the loop thread takes the fed event meanwhile
  if (op === 'again') timer.again(); else timer.stop();
  await new Promise((r) => setTimeout(r, 100));
  console.log(`${calls === 0 ? 'ok ' : 'BUG'}: ${op}() after feed(): active=${timer.active}, callback ran ${calls}x`);
  loop.destroy();
}
