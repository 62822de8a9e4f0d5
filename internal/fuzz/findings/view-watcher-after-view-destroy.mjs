// A watcher created through a view (new Loop({ ptr })) belongs to the loop.
// After view.destroy() (which "only retires the view and leaves the loop
// alone") its generic members still work, but the kind-specific ones, which
// go through watcher.loop (the retired view), throw LoopDestroyedError
// although the loop is alive: Async.send(), Timer.again()/after/repeat/
// remaining, Periodic.at/set/again, Stat.stat().
import { Loop } from '@evkit/loop';
import { Async } from '@evkit/async';
import { Timer } from '@evkit/timer';

const loop = new Loop();
const view = new Loop({ ptr: loop.ptr });
const async = new Async(view).start(() => {});
const timer = new Timer(view, 1e4, 1e4).start(() => {});
view.destroy();
console.log('loop destroyed?', loop.destroyed, '| async.active', async.active, '| timer.stop() works:', (timer.stop(), timer.start(() => {}), true));
for (const [name, f] of [['async.send()', () => async.send()], ['timer.again()', () => timer.again()], ['timer.remaining', () => timer.remaining]]) {
  try {
    f();
    console.log(`ok : ${name}`);
  } catch (e) {
    console.log(`BUG: ${name} threw ${e.constructor.name} on a live loop`);
  }
}
loop.destroy();
