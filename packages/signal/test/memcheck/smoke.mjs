// Exercises the Signal watcher's native paths once for the memory checker:
// the chain taken and given back (blocking and attached loops, several loops
// and a worker on one signal), delivery, destroy with active watchers in every
// order, close, GC of stopped watchers, a worker ending with active watchers.
// Prints "memcheck smoke ok".
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { setImmediate as tick } from 'node:timers/promises';
import { Loop } from '@evkit/loop';
import { Signal } from '@evkit/signal';

async function collect() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc?.();
    await tick();
  }
}

async function waitFor(predicate) {
  const until = performance.now() + 20_000;
  while (!predicate()) {
    if (performance.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function blocking() {
  const loop = new Loop();
  let n = 0;
  const a = new Signal(loop, 'SIGUSR2').start(() => {
    n++;
    a.stop();
  });
  const b = new Signal(loop, 'SIGUSR2', { ref: false, priority: 1 }).start(() => n++);
  process.kill(process.pid, 'SIGUSR2');
  loop.run();
  if (n !== 2) throw new Error(`blocking: ${n} deliveries`);
  b.close();
  new Signal(loop, 'SIGPIPE').start(() => {});
  loop.destroy(); // with an active watcher
}

async function attached() {
  const loop = new Loop().attach();
  let n = 0;
  const w = new Signal(loop, 'SIGUSR2').start(() => n++);
  new Signal(Loop.default, 'SIGUSR2').start(function () {
    n++;
    this.stop();
  });
  process.kill(process.pid, 'SIGUSR2');
  await waitFor(() => n === 2);
  w.close();
  new Signal(loop, 'SIGUSR2').start(() => {});
  loop.destroy();
}

async function garbage() {
  const loop = new Loop();
  for (let i = 0; i < 50; i++) new Signal(loop, 'SIGUSR2').start(() => {}).stop();
  new Signal(loop, 'SIGINT');
  await collect();
  loop.destroy();
}

async function worker() {
  const w = new Worker(new URL(import.meta.url), { workerData: 'child' });
  await new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  process.kill(process.pid, 'SIGUSR2');
  await new Promise((resolve) => w.once('exit', resolve));
}

if (isMainThread) {
  process.on('SIGUSR2', () => {}); // survives whatever evkit does
  blocking();
  await attached();
  await garbage();
  await worker();
  await collect();
  console.log('memcheck smoke ok');
} else {
  const loop = new Loop();
  const w = new Signal(loop, 'SIGUSR2').start(() => w.stop());
  new Signal(new Loop(), 'SIGPIPE').start(() => {}); // left active at exit
  parentPort.postMessage('ready');
  loop.run();
}
