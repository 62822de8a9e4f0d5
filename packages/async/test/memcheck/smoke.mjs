// Exercises @evkit/async's native paths for the memory checker (valgrind via
// scripts/memcheck.sh, or ASan): sends on the owning thread and from workers,
// blocking and attached, every way a watcher leaves (close, destroy, GC, env
// teardown of a worker), two workers × 100,000 sends racing a destroy(), and
// mailboxes: messages from a worker, left queued at close, destroy and GC;
// sends an attached loop's JS thread takes itself.
// Prints "memcheck smoke ok".
import { Worker } from 'node:worker_threads';
import { setImmediate as tick } from 'node:timers/promises';
import { Loop } from '@evkit/loop';
import { Async, AsyncMailbox, AsyncSender } from '@evkit/async';
import { Timer } from '@evkit/timer';

const workerUrl = new URL('../fixtures/worker.mjs', import.meta.url);
const COUNT = Number(process.argv[2] ?? 100_000);

function check(condition, what) {
  if (!condition) throw new Error(`memcheck smoke: ${what}`);
}

function makeSync() {
  const sync = new SharedArrayBuffer(96);
  return { sync, flags: new Int32Array(sync, 0, 8) };
}

function go(flags) {
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
}

function spawn(workerData) {
  const worker = new Worker(workerUrl, { workerData });
  const messages = [];
  const waiting = [];
  worker.on('message', (m) => (waiting.length ? waiting.shift()(m) : messages.push(m)));
  const exited = new Promise((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', resolve);
  });
  const next = () => (messages.length ? Promise.resolve(messages.shift()) : new Promise((r) => waiting.push(r)));
  return { worker, next, exited };
}

async function collect() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc?.();
    await tick();
  }
}

function blocking() {
  for (const flags of ['select', 'poll', 'epoll']) {
    const loop = new Loop({ flags });
    const never = new Async(loop);
    never.send(); // never started: needs the loop's internal wake-up async
    never.sender().send();
    let calls = 0;
    const a = new Async(loop, { priority: 1 }).start(() => {
      calls++;
      if (calls < 3) a.send();
      else a.stop();
    });
    a.send();
    a.send();
    check(a.sent, 'sent after send()');
    loop.run();
    check(calls === 3, 'three callbacks');
    a.sender().send(); // stopped: lost
    a.start(() => a.close());
    a.sender().send();
    loop.run();
    check(a.closed, 'closed in its callback');
    loop.destroy();
  }
  // destroy with a published, active watcher; then the watcher is collected
  const loop = new Loop();
  const s = new Async(loop).start(() => {}).sender();
  loop.destroy();
  check(!s.send(), 'send after destroy');
  // destroy from inside the callback
  const l2 = new Loop();
  const b = new Async(l2).start(() => l2.destroy());
  const s2 = b.sender();
  s2.send();
  l2.run();
  check(!s2.send(), 'send after destroy in callback');
  // a watcher dropped while stopped, its loop never destroyed (teardown)
  const l3 = new Loop();
  new Async(l3).sender();
  new Async(l3, { ref: false }).start(() => {}).sender();
}

async function attached() {
  const loop = new Loop().attach();
  let calls = 0;
  await new Promise((resolve) => {
    const a = new Async(loop).start(() => {
      if (++calls === 3) {
        a.close();
        resolve();
      } else {
        a.sender().send();
      }
    });
    a.send();
  });
  // destroy from inside an attached callback, with a sender outstanding
  const b = new Async(loop);
  const s = b.sender();
  await new Promise((resolve) =>
    b.start(() => {
      loop.destroy();
      resolve();
    }).send(),
  );
  check(!s.send(), 'send after attached destroy');
  // Loop.default, unref'd, left for env teardown
  new Async(Loop.default, { ref: false }).start(() => {}).sender();
}

// Sends an attached loop's JS thread takes itself: left on their way by
// detach, suspend, close and destroy, and a callback that starts a timer.
async function direct() {
  const loop = new Loop().attach();
  let calls = 0;
  const a = new Async(loop).start(() => calls++);
  a.send();
  loop.detach(); // goes to libev
  loop.run({ nowait: true });
  check(calls === 1, 'a send left by detach() is the next run()');
  loop.attach();
  a.send();
  loop.suspend();
  loop.resume();
  const closed = new Async(loop).start(() => calls++);
  closed.send();
  closed.close();
  await new Promise((resolve) => {
    const t = new Async(loop).start(() => {
      t.close();
      new Timer(loop, 0.001).start(resolve);
    });
    t.send();
  });
  a.close();
  const gone = new Async(loop).start(() => calls++);
  gone.sender().send();
  loop.destroy();
}

async function workers() {
  // worker -> blocking main loop
  {
    const loop = new Loop();
    const a = new Async(loop).start(() => a.stop());
    const { sync, flags } = makeSync();
    const w = spawn({ task: 'send-later', sender: a.sender(), sync, delayMs: 20 });
    go(flags);
    loop.run();
    check((await w.next()).ok === true, 'worker send');
    await w.exited;
    loop.destroy();
  }
  // main -> worker loop (blocking and attached); false after exit / terminate
  for (const mode of ['blocking', 'attached']) {
    const { sync } = makeSync();
    const w = spawn({ task: 'own-loop', mode, sync });
    const s = AsyncSender.from((await w.next()).sender);
    check(s.send(), 'send to worker');
    await w.next();
    await w.exited;
    check(!s.send(), 'send after worker exit');
    const h = spawn({ task: 'hold', mode });
    const hs = AsyncSender.from((await h.next()).sender);
    check(hs.send(), 'send to holding worker');
    await h.worker.terminate();
    check(!hs.send(), 'send after terminate');
    // terminate() racing sends from this thread
    const r = spawn({ task: 'hold', mode });
    const rs = AsyncSender.from((await r.next()).sender);
    const terminated = r.worker.terminate();
    let falses = 0;
    while (falses < 100) if (!rs.send()) falses++;
    await terminated;
    check(!rs.send(), 'send after racing terminate');
  }
}

async function race(attachedMode, close) {
  const loop = new Loop();
  if (attachedMode) loop.attach();
  const { sync, flags } = makeSync();
  const threshold = COUNT / 5; // a tenth of all sends
  let ended = false;
  const a = new Async(loop);
  const end = () => {
    if (ended) return;
    ended = true;
    if (close) {
      a.close();
      guard.close();
      if (!attachedMode) loop.break('all');
    } else {
      loop.destroy();
    }
  };
  a.start(() => {
    if (Atomics.load(flags, 3) >= threshold) end();
  });
  // Ends the race on time even if the async callbacks lag behind.
  const guard = new Timer(loop, 0.01, 0.01, { ref: false }).start(() => {
    if (Atomics.load(flags, 3) >= threshold) end();
  });
  const sender = a.sender();
  const ws = [0, 1].map(() => spawn({ task: 'spam', sender, count: COUNT, sync }));
  for (let ready; (ready = Atomics.load(flags, 5)) < 2; ) Atomics.wait(flags, 5, ready, 100);
  go(flags);
  if (attachedMode) {
    while (!ended) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (Atomics.load(flags, 3) >= threshold) end();
    }
  } else {
    loop.run();
  }
  const results = await Promise.all(ws.map((w) => w.next()));
  await Promise.all(ws.map((w) => w.exited));
  for (const r of results) check(r.trueAfterFalse === 0 && r.trues + r.falses === COUNT, 'race results');
  loop.destroy();
  const trues = results.reduce((n, r) => n + r.trues, 0);
  return { results, midRace: trues > 0 && trues < 2 * COUNT };
}

// Under valgrind threads are scheduled coarsely, so the end may come only
// after the workers are done: retry until a round really raced.
async function raceUntilMid(attachedMode, close) {
  const rounds = [];
  for (let i = 0; i < 4; i++) {
    rounds.push(await race(attachedMode, close));
    if (rounds.at(-1).midRace) break;
  }
  return rounds;
}

// A worker sends 200 messages; the loop takes 100, then the rest stay queued
// in a closed, a destroyed and a collected mailbox.
async function mailboxes() {
  const source = `const { workerData, parentPort } = require('node:worker_threads');
    import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)}).then(({ AsyncSender }) => {
      for (const data of workerData) { const s = AsyncSender.from(data); for (let i = 0; i < 200; i++) s.send({ i, pad: 'x'.repeat(i) }); }
      parentPort.postMessage('sent');
    });`;
  for (const end of ['close', 'destroy', 'gc']) {
    const loop = new Loop().attach();
    let got = 0;
    let box = new AsyncMailbox(loop).start(function () {
      if (++got === 100) this.stop();
    });
    const worker = new Worker(source, { eval: true, workerData: [box.sender()] });
    await new Promise((resolve) => worker.once('message', resolve));
    while (got < 100) await tick();
    if (end === 'close') box.close();
    if (end === 'gc') box = null;
    await collect();
    loop.destroy();
    check(got === 100, 'mailbox got its first 100 messages');
  }
}

blocking();
await attached();
await direct();
await mailboxes();
await collect();
await workers();
const raced = [await raceUntilMid(false, false), await raceUntilMid(true, false), await raceUntilMid(false, true)];
await collect();
console.log(JSON.stringify(raced));
console.log('memcheck smoke ok');
