// Exercises every native path once for the memory checker (valgrind/ASan):
// creation and destruction in every order, GC finalisation, callbacks that
// destroy their loop, views, errors, workers. Prints "memcheck smoke ok".
import { Worker, isMainThread } from 'node:worker_threads';
import { setImmediate as tick } from 'node:timers/promises';
import { binding } from '@evkit/core-native/binding';
import { Loop, Watcher } from '@evkit/loop';

class Idle extends Watcher {
  constructor(loop, options) {
    super(loop, (native, owner) => new binding.Idle(native, owner), options);
  }
}
class Prepare extends Watcher {
  constructor(loop, options) {
    super(loop, (native, owner) => new binding.Prepare(native, owner), options);
  }
}
class Check extends Watcher {
  constructor(loop, options) {
    super(loop, (native, owner) => new binding.Check(native, owner), options);
  }
}

async function collect() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc?.();
    await tick();
  }
}

function exercise(flags) {
  const loop = new Loop({ flags });
  let n = 0;
  const idle = new Idle(loop, { priority: 1 }).start(() => {
    if (++n === 20) idle.stop();
  });
  const prepare = new Prepare(loop, { ref: false }).start(() => loop.runCallback(() => {}));
  const check = new Check(loop).start(() => {
    if (n >= 20) check.stop();
  });
  loop.runCallback(() => {
    throw new Error('reported');
  });
  loop.errorHandler = () => {};
  loop.run();
  prepare.unref().ref().unref();
  idle.callback = () => idle.stop();
  idle.feed(0x1000000);
  loop.run();
  const view = new Loop({ ptr: loop.ptr });
  view.runCallback(() => {});
  view.destroy();
  loop.run();
  prepare.close();
  loop.destroy();
}

function destroyInsideCallback() {
  const loop = new Loop();
  new Idle(loop).start(() => loop.destroy());
  new Check(loop).start(() => {});
  loop.run();
}

function dropWithoutDestroy() {
  const loop = new Loop();
  new Idle(loop).start(() => {});
  new Prepare(loop);
  new Check(loop).start(() => {}).stop();
}

for (const flags of ['select', 'poll', 'epoll']) exercise(flags);
destroyInsideCallback();
for (let i = 0; i < 20; i++) dropWithoutDestroy();
await collect();

if (isMainThread) {
  await new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url));
    worker.on('error', reject);
    worker.on('exit', resolve);
  });
  console.log('memcheck smoke ok');
}
