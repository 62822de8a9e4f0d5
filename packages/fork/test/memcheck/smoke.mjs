// Exercises @evkit/fork's native paths for the memory checker: fork watchers
// in blocking and attached mode, reinit() from every phase (evkit's internal
// repair watchers), destroy with them armed, GC of stopped watchers, a worker,
// and (outside valgrind) a real fork whose native child runs the loop. Under
// valgrind the forked child's own leak report would count the memory of every
// thread that does not exist in a child, so the real fork is left to
// test/process.test.ts there. Prints "memcheck smoke ok".
import { Worker, isMainThread } from 'node:worker_threads';
import { setImmediate as tick } from 'node:timers/promises';
import { testing } from '@evkit/native-testing';
import { Loop } from '@evkit/loop';
import { Fork } from '@evkit/fork';
import { Prepare } from '@evkit/prepare-check';
import { Timer } from '@evkit/timer';

function check(cond, what) {
  if (!cond) throw new Error(`smoke: ${what}`);
}

function blocking(flags) {
  const loop = new Loop({ flags });
  let calls = 0;
  const forks = [2, 0, -2].map((priority) => new Fork(loop, { priority, ref: false }).start(() => calls++));
  loop.run({ nowait: true });
  loop.reinit();
  loop.run({ nowait: true });
  loop.runCallback(() => loop.reinit());
  for (let i = 0; i < 3; i++) loop.run({ nowait: true });
  const prepare = new Prepare(loop).start(() => {
    prepare.stop();
    loop.reinit();
  });
  for (let i = 0; i < 3; i++) loop.run({ nowait: true });
  check(calls === 9, `blocking fork calls ${calls}`);
  forks[0].close();
  loop.runCallback(() => loop.reinit()); // destroy with the repair watchers armed
  loop.run({ nowait: true });
  loop.destroy();
  for (const f of forks) f.close();
}

async function attached() {
  const loop = new Loop().attach();
  let calls = 0;
  const fork = new Fork(loop, { ref: false }).start(() => calls++);
  loop.reinit();
  while (calls < 1) await new Promise((r) => setTimeout(r, 2));
  loop.runCallback(() => loop.reinit());
  while (calls < 2) await new Promise((r) => setTimeout(r, 2));
  await new Promise((resolve) => new Timer(loop, 0.001).start(() => { loop.reinit(); resolve(); }));
  while (calls < 3) await new Promise((r) => setTimeout(r, 2));
  fork.stop();
  loop.reinit();
  loop.destroy(); // repair watchers armed, loop thread running
  new Fork(Loop.default, { ref: false }).start(() => {});
  Loop.default.reinit();
}

function garbage() {
  const loop = new Loop();
  for (let i = 0; i < 50; i++) new Fork(loop).start(() => {}).stop();
  new Fork(loop, { ref: false }).start(() => {}); // dropped while active: freed with the loop
  loop.destroy();
}

function realFork() {
  const loop = new Loop();
  const r = testing.forkProbe(loop.ptr, true);
  loop.destroy();
  return r;
}

blocking('epoll');
blocking('select, forkcheck');
await attached();
garbage();
for (let i = 0; i < 4; i++) {
  globalThis.gc?.();
  await tick();
}

if (isMainThread) {
  await new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url));
    worker.on('error', reject);
    worker.on('exit', resolve);
  });
  if (!(process.env.LD_PRELOAD ?? '').includes('vgpreload')) {
    const probe = realFork();
    check(probe.completed && probe.forks === 1, `fork probe ${JSON.stringify(probe)}`);
  }
  console.log('memcheck smoke ok');
}
