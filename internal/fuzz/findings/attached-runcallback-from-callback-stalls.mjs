// Attached loop: a runCallback queued from inside a watcher callback of the
// same loop (or from a promise continuation of any callback of it) does not
// run until something else wakes the loop. api.md: a pending callback keeps
// the loop alive and the queue runs before the loop blocks.
// A race (a lost wake-up): run it a few times; each case fails in about half
// of the runs here.
import { Loop } from '@evkit/loop';
import { Prepare } from '@evkit/prepare-check';

const wait = (ms) => new Promise((r) => setTimeout(r, ms));

{
  const loop = new Loop();
  loop.attach();
  let ran = false;
  let first = true;
  new Prepare(loop).start(() => {
    if (first) loop.runCallback(() => { ran = true; });
    first = false;
  });
  await wait(1000);
  console.log(`${ran ? 'ok ' : 'BUG'}: runCallback queued in a Prepare callback ran: ${ran} (refCount=${loop.refCount})`);
  loop.destroy();
}
{
  const loop = new Loop();
  loop.attach();
  let ran = false;
  loop.runCallback(() => {
    Promise.resolve().then(() => loop.runCallback(() => { ran = true; }));
  });
  await wait(1000);
  console.log(`${ran ? 'ok ' : 'BUG'}: runCallback queued in a promise continuation of a runCallback ran: ${ran} (refCount=${loop.refCount})`);
  loop.destroy();
}
