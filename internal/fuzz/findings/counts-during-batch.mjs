// Inside a callback of a blocking run, loop.activeCount/refCount still count
// one-shot timers libev has already stopped (timer.active === false) until
// their own callback has run: the counts disagree with the watchers' state.
import { Loop } from '@evkit/loop';
import { Timer } from '@evkit/timer';

const loop = new Loop();
const a = new Timer(loop, -1);
const b = new Timer(loop, -1);
const seen = [];
const cb = function () {
  seen.push(`a.active=${a.active} b.active=${b.active} activeCount=${loop.activeCount} refCount=${loop.refCount}`);
};
a.start(cb);
b.start(cb);
loop.run({ nowait: true });
console.log(seen.some((s) => !s.endsWith('activeCount=0 refCount=0')) ? 'BUG:' : 'ok:', seen.join(' | '));
loop.destroy();
