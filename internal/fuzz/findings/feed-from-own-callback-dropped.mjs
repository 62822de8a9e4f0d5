// feed() "makes the watcher pending even when inactive". A one-shot Timer
// that feeds itself from its own callback (after libev stopped it) is pending
// afterwards, but its callback never runs again: evkit releases the callback
// of a stopped one-shot when the callback returns and then drops the event.
import { Loop } from '@evkit/loop';
import { Timer } from '@evkit/timer';

const loop = new Loop();
let calls = 0;
const timer = new Timer(loop, -1).start(() => {
  calls++;
  if (calls === 1) timer.feed(0x01000000); // EV_CUSTOM
});
loop.run({ nowait: true }); // expiry, then the fed event in the same pass
loop.run({ nowait: true });
console.log(`${calls === 2 ? 'ok ' : 'BUG'}: callback ran ${calls}x (expected 2), pending=${timer.pending}, callback=${timer.callback}`);
loop.destroy();
