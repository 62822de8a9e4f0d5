// Exercises the io package's native paths once for the memory checker: every
// backend, blocking and attached, readiness, closingFd, fds closed under
// watchers (the guard's kills, duplicates and graveyard), destroy with active
// watchers, GC of live and stopped watchers, and a worker. Prints
// "memcheck smoke ok".
import { closeSync, readSync, writeSync } from 'node:fs';
import { setImmediate as tick, setTimeout as delay } from 'node:timers/promises';
import { Worker, isMainThread } from 'node:worker_threads';
import { testing } from '@evkit/native-testing';
import { Loop, READ, WRITE } from '@evkit/loop';
import { Io, closingFd, readable, writable } from '@evkit/io';

const pair = () => testing.socketpair();
const buf = Buffer.alloc(64);

async function collect() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc?.();
    await tick();
  }
}

function blocking(flags) {
  const loop = new Loop({ flags });
  loop.errorHandler = () => {};
  const [a, b] = pair();
  let n = 0;
  const r = new Io(loop, a, READ, { passEvents: true }).start(function () {
    readSync(a, buf);
    if (++n === 5) this.stop();
    else writeSync(b, 'x');
  });
  writeSync(b, 'x');
  loop.run();
  // closingFd, then a kill of an fd closed under its watcher
  new Io(loop, b, WRITE).start(() => {});
  closingFd(loop, b);
  const [c, d] = pair();
  new Io(loop, c, READ, { ref: false }).start(() => {});
  closeSync(c);
  const [e, f] = pair();
  writeSync(f, 'y');
  new Io(loop, e, READ).start(function () {
    closeSync(e); // without stop: the guard or libev retires it
  });
  loop.run();
  // registered, closed, then reinit(): the guard's fork watcher retires it
  const [g, h] = pair();
  new Io(loop, g, READ).start(() => {});
  loop.run({ nowait: true });
  closeSync(g);
  loop.reinit();
  loop.run({ nowait: true });
  closeSync(h);
  // dropped without close, active and stopped; a throwing callback
  new Io(loop, d, WRITE).start(() => {}).stop();
  new Io(loop, f, WRITE);
  new Io(loop, d, WRITE).start(() => {
    throw new Error('stops it');
  });
  loop.run();
  // destroy with an active watcher (a duplicate on poll)
  new Io(loop, f, READ).start(() => {});
  r.close();
  loop.destroy();
  for (const fd of [a, b, d, f]) closeSync(fd);
}

async function attached(flags) {
  const loop = new Loop({ flags }).attach();
  loop.errorHandler = () => {};
  const [a, b] = pair();
  let n = 0;
  await new Promise((resolve) => {
    new Io(loop, a, READ).start(function () {
      readSync(a, buf);
      if (++n === 5) {
        this.stop();
        resolve();
      } else writeSync(b, 'x');
    });
    writeSync(b, 'x');
  });
  // stop outside a callback while the loop thread sleeps (graveyard on poll)
  const quiet = new Io(loop, b, READ).start(() => {});
  await delay(10);
  quiet.stop();
  // close under a sleeping loop: found by the next iteration or the sweep
  const [c, d] = pair();
  new Io(loop, c, READ).start(() => {});
  await delay(10);
  closeSync(c);
  await writable(d, { loop });
  const pending = readable(d, { loop });
  closingFd(loop, d);
  await pending.catch(() => {});
  const controller = new AbortController();
  const aborted = readable(a, { loop, signal: controller.signal });
  controller.abort();
  await aborted.catch(() => {});
  await delay(1100); // the sweep
  new Io(loop, a, READ).start(() => {}); // destroyed while active
  loop.destroy();
  for (const fd of [a, b, d]) closeSync(fd);
}

for (const flags of ['select', 'poll', 'epoll']) blocking(flags);
for (const flags of ['poll', 'epoll']) await attached(flags);
{
  const [a, b] = pair();
  writeSync(b, 'z');
  await readable(a); // Loop.default
  closeSync(a);
  closeSync(b);
}
await collect();

if (isMainThread) {
  await new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { argv: ['worker'], trackUnmanagedFds: false });
    worker.on('error', reject);
    worker.on('exit', resolve);
  });
  console.log('memcheck smoke ok');
}
