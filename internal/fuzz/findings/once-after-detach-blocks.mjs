// run({ once: true }) handles one round of events: with an event ready it
// must not block. An Async started while the loop was attached, then
// detach() and send(): run({once}) runs the async callback and then blocks in
// another poll: here until the 2 s alarm timer fires (60 s without it, and a
// plain run() would wait forever). A loop that was never attached returns at
// once. A race: it fails in about 2 runs of 5 here.
import { Loop } from '@evkit/loop';
import { Async } from '@evkit/async';
import { Timer } from '@evkit/timer';

for (const attachedBefore of [false, true]) {
  const loop = new Loop();
  const async = new Async(loop);
  if (attachedBefore) loop.attach();
  let fired = 0;
  async.start(() => fired++);
  if (attachedBefore) loop.detach();
  new Timer(loop, 2).start(() => {}); // alarm
  async.send();
  const t0 = Date.now();
  loop.run({ once: true });
  const ms = Date.now() - t0;
  console.log(`${ms > 1000 ? 'BUG' : 'ok '}: ${attachedBefore ? 'after attach/detach' : 'never attached'}: run({once}) took ${ms} ms (async fired ${fired}x)`);
  loop.destroy();
}

// The same after detach(): a sent Async (or a raised signal watched by a
// Signal) runs before the runCallback queue, i.e. at the start of the run
// rather than in the poll phase after prepares and runCallbacks (a race too).
{
  const loop = new Loop();
  const order = [];
  const async = new Async(loop).start(() => order.push('async'));
  loop.runAsync();
  loop.detach();
  async.send();
  loop.runCallback(() => order.push('runCallback'));
  loop.run({ nowait: true });
  console.log(`${order[0] === 'runCallback' ? 'ok ' : 'BUG'}: after attach/detach: order ${order.join(', ')} (expected runCallback first)`);
  loop.destroy();
}
