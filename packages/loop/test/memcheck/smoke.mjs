// Exercises every native path once for the memory checker (valgrind/ASan):
// creation and destruction in every order, GC finalisation, callbacks that
// destroy their loop, views, errors, workers. Prints "memcheck smoke ok".
import { Worker, isMainThread } from 'node:worker_threads';
import { setImmediate as tick } from 'node:timers/promises';
import { WatcherKind, binding } from '@evkit/core-native/binding';
import { Loop, Watcher } from '@evkit/loop';

class Idle extends Watcher {
  constructor(loop, options) {
    super(loop, options);
  }

  get nativeKind() {
    return { kind: WatcherKind.Idle };
  }
}
class Prepare extends Watcher {
  constructor(loop, options) {
    super(loop, options);
  }

  get nativeKind() {
    return { kind: WatcherKind.Prepare };
  }
}
class Timer extends Watcher {
  constructor(loop, after, repeat = 0, options) {
    super(loop, options, after, repeat);
  }

  get nativeKind() {
    return { kind: WatcherKind.Timer };
  }
}
class Cleanup extends Watcher {
  constructor(loop, options) {
    super(loop, { ref: false, ...options });
  }

  get nativeKind() {
    return { kind: WatcherKind.Cleanup };
  }
}
class Check extends Watcher {
  constructor(loop, options) {
    super(loop, options);
  }

  get nativeKind() {
    return { kind: WatcherKind.Check };
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

async function attached() {
  const loop = new Loop().attach();
  let n = 0;
  const t = new Timer(loop, 0, 0.001).start(() => {
    if (++n === 20) t.stop();
    loop.runCallback(() => {});
  });
  const once = new Timer(loop, 0.001, 0, { ref: false }).start(() => {});
  await loop.runAsync();
  once.close();
  // destroy from inside a callback, and from a promise continuation of one
  const a = new Loop().attach();
  new Timer(a, 60).start(() => {});
  await new Promise((resolve) => new Timer(a, 0.001).start(() => { a.destroy(); resolve(); }));
  const b = new Loop().attach();
  await new Promise((resolve) => new Timer(b, 0.001).start(() => Promise.resolve().then(() => { b.destroy(); resolve(); })));
  // detach, run blocking, re-attach, destroy from outside while blocked
  loop.detach();
  new Timer(loop, 0.001).start(() => {});
  loop.run();
  loop.attach();
  new Timer(loop, 60).start(() => {});
  await new Promise((resolve) => setTimeout(resolve, 20));
  loop.destroy();
  // detach from a callback with the rest of its batch fed back, re-attach inside the same delivery,
  // detach from a promise continuation, then run the rest blocking
  const c = new Loop().attach();
  const rest = [new Timer(c, 0), new Timer(c, 0), new Timer(c, 0)];
  await new Promise((resolve) => {
    c.runCallback(() => {
      for (const w of rest) w.start(() => {
        if (!c.attached) return;
        c.detach();
        c.attach();
        c.detach();
        resolve();
      });
    });
  });
  c.run();
  c.attach();
  await new Promise((resolve) => new Timer(c, 0.001).start(resolve));
  c.detach();
  c.destroy();
  // watchers started attached keep their contexts natively; a blocking run()
  // after detach() makes their callbacks in them, and the callbacks drop
  // them (stop, re-arm, close, throw) while they are in use
  const d = new Loop().attach();
  d.errorHandler = () => {};
  let turns = 0;
  const repeating = new Timer(d, 0.001, 0.001).start(function () {
    if (++turns === 3) this.stop();
    else this.start(this.callback);
  });
  new Timer(d, 0.001, 0.001).start(function () { this.close(); });
  new Timer(d, 0.001, 0.001).start(function () { this.stop(); throw new Error('in context'); });
  d.detach();
  d.run();
  repeating.close();
  d.destroy();
  await jsPasses();
  // the default loop, and an attached loop dropped without destroy (lives until teardown)
  await new Promise((resolve) => new Timer(Loop.default, 0.001).start(resolve));
  new Timer(new Loop().attach(), 60, 0, { ref: false }).start(() => {});
}

// A 0 s timer re-armed from its callback: after the first hand-off the JS
// thread runs the passes itself. `at(count)` runs inside the callback.
function chain(loop, n, at) {
  return new Promise((resolve) => {
    let count = 0;
    const t = new Timer(loop, 0);
    const fire = () => {
      count++;
      if (count < n) t.start(fire);
      else resolve();
      at(count);
    };
    t.start(fire);
  });
}

// Passes the JS thread runs, left every way: the budget (a busy Idle), detach
// and re-attach, detach and a blocking run, destroy.
async function jsPasses() {
  const busy = new Loop().attach();
  const idle = new Idle(busy).start(() => {});
  await chain(busy, 300, () => {});
  idle.close();
  await chain(busy, 100, (count) => {
    if (count !== 50) return;
    busy.detach();
    busy.attach();
  });
  let ran = false;
  await new Promise((resolve) => {
    void chain(busy, 100, (count) => {
      if (count !== 50) return;
      busy.detach();
      busy.run();
      ran = true;
      resolve();
    });
  });
  if (!ran) throw new Error('the blocking run inside a pass did not run');
  busy.destroy();
  const doomed = new Loop().attach();
  await new Promise((resolve) => {
    void chain(doomed, 100, (count) => {
      if (count === 50) {
        doomed.destroy();
        resolve();
      }
    });
  });
}

// clearPending() of events pending in libev and already collected, Cleanup
// kinds run by destroy(), the poll and callback timers, collect intervals.
async function newerPaths() {
  const loop = new Loop();
  loop.setIoCollectInterval(0.001);
  loop.setTimeoutCollectInterval(0.001);
  const fed = new Timer(loop, 60).start(() => {});
  fed.feed(0x100);
  fed.clearPending();
  const pair = [new Timer(loop, 0.001), new Timer(loop, 0.001)];
  loop.runCallback(() => pair.forEach((t, i) => t.start(() => pair[1 - i].clearPending())));
  fed.stop();
  loop.run();
  loop.stats();
  const delay = loop.monitorDelay({ resolution: 1 });
  delay.enable();
  new Timer(loop, 0.005).start(() => {});
  loop.run();
  delay.disable();
  new Cleanup(loop).start(() => new Timer(loop, 1).start(() => {}));
  loop.destroy();
  const attached = new Loop().attach();
  await new Promise((resolve) => {
    const ts = [new Timer(attached, 0.001), new Timer(attached, 0.001)];
    attached.runCallback(() => ts.forEach((t, i) => t.start(() => resolve(ts[1 - i].clearPending()))));
  });
  attached.stats();
  attached.suspend(); // the loop thread stops
  attached.resume(); // and starts again
  new Cleanup(attached).start(() => {});
  attached.suspend(); // destroy() resumes it
  await new Promise((resolve) => {
    // suspended and resumed from a callback, maybe in a pass the JS thread runs
    const chain = new Timer(attached, 0);
    let n = 0;
    const again = () => {
      if (++n === 20) {
        attached.suspend();
        attached.resume();
        resolve();
      } else chain.start(again);
    };
    attached.resume();
    chain.start(again);
  });
  attached.suspend();
  attached.destroy();
}

// A callback stops watchers of its own batch that wait behind the
// runCallback drain: the batch must forget them (their native halves are freed).
function stopLaterInBatch() {
  for (let round = 0; round < 3; round++) {
    const loop = new Loop();
    const later = Array.from({ length: 4 }, () => new Prepare(loop, { priority: -2 }).start(() => {}));
    new Prepare(loop, { priority: 2 }).start(function () {
      for (const w of later) w.stop();
      this.stop();
    });
    loop.runCallback(() => {});
    loop.run({ nowait: true });
    loop.destroy();
  }
}

// More timers than the 2 MB of small chunks a kind's native blocks start in:
// the rest come from the pool's 2 MB chunks; freed blocks are reused.
function manyTimers() {
  const loop = new Loop();
  let fired = 0;
  for (let round = 0; round < 2; round++) {
    const timers = Array.from({ length: 30_000 }, () => new Timer(loop, -1).start(() => fired++));
    loop.run();
    for (const timer of timers) timer.close();
  }
  loop.destroy();
  if (fired !== 60_000) throw new Error(`fired ${fired} of 60000 timers`);
}

for (const flags of ['select', 'poll', 'epoll']) exercise(flags);
if (isMainThread) manyTimers();
stopLaterInBatch();
await newerPaths();
destroyInsideCallback();
for (let i = 0; i < 20; i++) dropWithoutDestroy();
await attached();
await collect();

if (isMainThread) {
  await new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url));
    worker.on('error', reject);
    worker.on('exit', resolve);
  });
  for (const mode of ['blocked', 'busy']) {
    const worker = new Worker(new URL(import.meta.url), { argv: [mode] });
    await new Promise((resolve) => worker.once('online', resolve));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await worker.terminate();
  }
  console.log('memcheck smoke ok');
} else if (process.argv[2] === 'blocked') {
  const loop = new Loop();
  new Timer(loop, 60).start(() => {});
  new Timer(Loop.default, 60).start(() => {});
  loop.run();
} else if (process.argv[2] === 'busy') {
  // terminated while its attached loop keeps the JS thread in passes
  new Idle(new Loop().attach()).start(() => {});
}
