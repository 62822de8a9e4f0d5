// Blocking run: timers a (priority 0) and b (priority 1) expire in the same
// iteration. libev stops the one-shot a and queues it; b runs first and
// start()s a again; then a's callback runs. Expected afterwards: a active,
// activeCount=1, refCount=1; after a.stop(): 0 and 0.
// Seen: activeCount=2/refCount=2, and after a.stop() 1/1 for good, so a plain
// loop.run() would never return (it is not called here).
import { Loop } from '@evkit/loop';
import { Timer } from '@evkit/timer';

const loop = new Loop();
const a = new Timer(loop, -1);
const b = new Timer(loop, -1, 0, { priority: 1 });
a.start(() => {});
b.start(() => a.start(() => {}));
loop.run({ nowait: true });
console.log(`a.active=${a.active} activeCount=${loop.activeCount} refCount=${loop.refCount} (expected true 1 1)`);
a.stop();
const bad = loop.activeCount !== 0 || loop.refCount !== 0;
console.log(`${bad ? 'BUG' : 'ok'}: after a.stop() activeCount=${loop.activeCount} refCount=${loop.refCount}, run({nowait}) returns ${loop.run({ nowait: true })}`);
loop.destroy();
