// Attached loop: a one-shot Timer expires on the loop thread; before its
// callback is delivered to JS, start() is called again (the JS thread was
// busy). Expected: at most one callback per start and, once everything ran,
// activeCount=0 and refCount=0.
// Seen: the old event runs the new callback, the new expiry runs it again,
// and activeCount/refCount stay at 1 for good: an attached loop then keeps
// the process alive with nothing active (this script would not exit without
// the destroy()).
import { Loop } from '@evkit/loop';
import { Timer } from '@evkit/timer';

const loop = new Loop();
loop.attach();
const timer = new Timer(loop, -1);
let first = 0;
let second = 0;
timer.start(() => first++);
const t0 = Date.now();
while (timer.active && Date.now() - t0 < 2000) {} // busy: the expiry cannot be delivered yet
timer.start(() => second++);
await new Promise((r) => setTimeout(r, 200));
const bad = loop.activeCount !== 0 || loop.refCount !== 0 || first + second > 2;
console.log(`${bad ? 'BUG' : 'ok '}: first callback ${first}x, second ${second}x, active=${timer.active}, activeCount=${loop.activeCount}, refCount=${loop.refCount}`);
loop.destroy();
