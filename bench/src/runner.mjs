// One measurement in a fresh process:
//   node --expose-gc src/runner.mjs <workload> <system> <json-params>
// Prints exactly one JSON line on stdout: { ok: true, metrics: {...}, info: {...} }
// (or { ok: false, error }) and exits. Every workload does a small warm-up of
// the same code path first, except where noted, so that the measured part
// runs with the JIT already warm for evkit and Node alike.
import { AsyncResource } from 'node:async_hooks';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { testing } from '@evkit/native-testing';
import { Loop, READ } from '@evkit/loop';
import { Periodic, Timer } from '@evkit/timer';
import { Check, Idle, Prepare } from '@evkit/prepare-check';
import { Io } from '@evkit/io';
import { Async, AsyncMailbox } from '@evkit/async';
import { Fork } from '@evkit/fork';
import { Signal } from '@evkit/signal';
import { Stat } from '@evkit/stat';
import { runX } from './interop.mjs';

const now = () => performance.now(); // ms, sub-microsecond resolution

function gc() {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

// Runs a workload once small (warms the JIT), then at size n; the result as
// `{ ms, ... }` whether the workload returned milliseconds or an object.
async function warmThenRun(fn, n, minWarm = 100) {
  await fn(Math.max(minWarm, Math.floor(n / 20)));
  const r = await fn(n);
  return typeof r === 'number' ? { ms: r } : r;
}

// A throughput workload table (system → fn(n)) as a runner.
const rateRunner = (table) => async (system, { n }) => {
  const r = await warmThenRun(table[system], n);
  const info = { n };
  if (r.iterations !== undefined) info.loopIterations = r.iterations;
  return { metrics: { rate: n / (r.ms / 1000), ms: r.ms }, info };
};

// mulberry32: a tiny seeded PRNG, so every run draws the same timeouts.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const noop = () => {};

// Raw non-blocking AF_UNIX socket pairs that Node knows nothing about; fs
// reads and writes on them throw EAGAIN instead of blocking.
const socketpair = () => testing.socketpair();
const byte = Buffer.alloc(1);
const scratch = Buffer.alloc(64);

// Reads what is there (the chains below keep one byte in flight); 0 on EAGAIN.
function drain(fd) {
  try {
    return readSync(fd, scratch, 0, scratch.length, null);
  } catch (error) {
    if (error.code === 'EAGAIN') return 0;
    throw error;
  }
}

function unixSocketPath(tag) {
  return path.join(os.tmpdir(), `evkit-bench-${tag}-${process.pid}.sock`);
}

// ------------------------------------------------------------------ W1: timer churn
// N one-shot timers with a 0 delay, all started up front, then run until every
// one has fired. Measured: first start() to last callback.

function w1EvkitBlocking(n) {
  const loop = new Loop();
  let fired = 0;
  const cb = () => {
    fired++;
  };
  const t0 = now();
  for (let i = 0; i < n; i++) new Timer(loop, 0).start(cb);
  loop.run();
  const ms = now() - t0;
  loop.destroy();
  if (fired !== n) throw new Error(`fired ${fired} of ${n}`);
  return ms;
}

async function w1EvkitAttached(n) {
  const loop = new Loop();
  loop.attach();
  let fired = 0;
  const cb = () => {
    fired++;
  };
  const t0 = now();
  for (let i = 0; i < n; i++) new Timer(loop, 0).start(cb);
  await loop.runAsync();
  const ms = now() - t0;
  loop.destroy();
  if (fired !== n) throw new Error(`fired ${fired} of ${n}`);
  return ms;
}

// Diagnostic: the timers are started while the loop is still detached, then
// runAsync() attaches it. Same hand-off path as evkit-attached, but start()
// does not capture an async context (it only does so on an attached loop).
async function w1EvkitAttachedPrestart(n) {
  const loop = new Loop();
  let fired = 0;
  const cb = () => {
    fired++;
  };
  const t0 = now();
  for (let i = 0; i < n; i++) new Timer(loop, 0).start(cb);
  await loop.runAsync();
  const ms = now() - t0;
  loop.destroy();
  if (fired !== n) throw new Error(`fired ${fired} of ${n}`);
  return ms;
}

function w1Node(n) {
  return new Promise((resolve) => {
    let fired = 0;
    let t0 = 0;
    const cb = () => {
      if (++fired === n) resolve(now() - t0);
    };
    t0 = now();
    for (let i = 0; i < n; i++) setTimeout(cb, 0);
  });
}

// What W1 costs on this machine before any event loop is involved: a JS
// object per timer with a watcher's six fields, kept in an array by id (as
// evkit keeps active watchers alive), then each callback called from that
// array. No libev, no native code: a floor that no binding with a JS object
// per watcher can go under.
class FloorTimer {
  #loop;
  #id = 0;
  #flags = 0;
  #a = null;
  #b = null;
  #call = null;
  constructor(loop, after) {
    this.#loop = loop;
    this.#a = after;
    this.#b = 0;
  }
  start(callback) {
    this.#call = callback;
    this.#id = this.#loop.length;
    this.#flags++;
    this.#loop.push(this);
    return this;
  }
  fire() {
    const call = this.#call;
    this.#call = null;
    this.invoke(call);
  }
  invoke(call) {
    call();
  }
  stop() {
    this.#loop[this.#id] = undefined;
    this.#call = null;
    return this;
  }
}

// Kind: FloorTimer, or FloorTimerInContext (below).
function w1JsFloor(n, Kind = FloorTimer) {
  const owners = [];
  let fired = 0;
  const cb = () => {
    fired++;
  };
  const t0 = now();
  for (let i = 0; i < n; i++) new Kind(owners, 0).start(cb);
  for (let i = 0; i < n; i++) {
    owners[i].fire();
    owners[i] = undefined;
  }
  const ms = now() - t0;
  if (fired !== n) throw new Error(`fired ${fired} of ${n}`);
  return ms;
}

// The floor with what api.md asks of an attached start: the callback runs in
// the async context of its start(), so each start makes one AsyncResource
// (holding the callback, as evkit's ContextualCall does) and each callback
// runs through its runInAsyncScope(). Still no loop and no native code.
class FloorCall extends AsyncResource {
  constructor(callback) {
    super('evkit');
    this.callback = callback;
  }
}

class FloorTimerInContext extends FloorTimer {
  start(callback) {
    return super.start(new FloorCall(callback));
  }
  invoke(call) {
    call.runInAsyncScope(call.callback, undefined);
  }
}

const W1 = {
  'js-floor': (n) => w1JsFloor(n),
  'js-floor-context': (n) => w1JsFloor(n, FloorTimerInContext),
  'evkit-blocking': w1EvkitBlocking,
  'evkit-attached': w1EvkitAttached,
  'evkit-attached-prestart': w1EvkitAttachedPrestart,
  'node-setTimeout': w1Node,
};

const runW1 = rateRunner(W1);

// ------------------------------------------------------------------ W2: io ping-pong
// One byte bounced over a socket pair N times (a -> b -> a is one round
// trip). evkit: an Io READ watcher on each end, on the same loop; each
// callback reads the byte and writes it back. Node: a unix-domain `net`
// connection, the server end echoing. Measured: first write to last read.

function w2Evkit(loop, n) {
  const [a, b] = socketpair();
  let trips = 0;
  const echo = new Io(loop, a, READ).start(() => {
    drain(a);
    writeSync(a, byte, 0, 1);
  });
  const back = new Io(loop, b, READ).start(() => {
    drain(b);
    if (++trips < n) writeSync(b, byte, 0, 1);
    else {
      echo.stop();
      back.stop();
    }
  });
  const done = () => {
    loop.destroy();
    closeSync(a);
    closeSync(b);
    if (trips !== n) throw new Error(`${trips} of ${n} round trips`);
  };
  return { start: () => writeSync(b, byte, 0, 1), done };
}

function w2EvkitBlocking(n) {
  const loop = new Loop();
  const pp = w2Evkit(loop, n);
  const t0 = now();
  pp.start();
  loop.run();
  const ms = now() - t0;
  const iterations = loop.iteration;
  pp.done();
  return { ms, iterations };
}

async function w2EvkitAttached(n) {
  const loop = new Loop();
  loop.attach();
  const pp = w2Evkit(loop, n);
  const t0 = now();
  pp.start();
  await loop.runAsync();
  const ms = now() - t0;
  const iterations = loop.iteration;
  pp.done();
  return { ms, iterations };
}

// A Node client's side of an echo: writes a byte, and the next one on each
// echo, until n came back; resolves with the ms from first write to last echo.
function clientTrips(client, n) {
  const one = Buffer.from([1]);
  return new Promise((resolve, reject) => {
    let trips = 0;
    const t0 = now();
    client.once('error', reject);
    client.on('data', () => {
      if (++trips < n) client.write(one);
      else resolve(now() - t0);
    });
    client.write(one);
  });
}

async function w2Node(n) {
  const where = unixSocketPath('w2');
  rmSync(where, { force: true });
  const server = net.createServer((socket) => socket.on('data', (d) => socket.write(d)));
  await new Promise((resolve, reject) => server.once('error', reject).listen(where, resolve));
  const client = net.connect(where);
  await new Promise((resolve, reject) => client.once('error', reject).once('connect', resolve));
  const ms = await clientTrips(client, n);
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
  rmSync(where, { force: true });
  return { ms };
}

const W2 = {
  'evkit-blocking': w2EvkitBlocking,
  'evkit-attached': w2EvkitAttached,
  'node-net': w2Node,
};

const runW2 = rateRunner(W2);

// ------------------------------------------------------------------ W3a: callback chain in one pass
// Each callback schedules the next; N callbacks in all.

function w3aEvkitBlocking(n) {
  const loop = new Loop();
  let count = 0;
  const step = () => {
    if (++count < n) loop.runCallback(step);
  };
  const t0 = now();
  loop.runCallback(step);
  loop.run();
  const ms = now() - t0;
  const iterations = loop.iteration;
  loop.destroy();
  if (count !== n) throw new Error(`ran ${count} of ${n}`);
  return { ms, iterations };
}

async function w3aEvkitAttached(n) {
  const loop = new Loop();
  loop.attach();
  let count = 0;
  const step = () => {
    if (++count < n) loop.runCallback(step);
  };
  const t0 = now();
  loop.runCallback(step);
  await loop.runAsync();
  const ms = now() - t0;
  const iterations = loop.iteration;
  loop.destroy();
  if (count !== n) throw new Error(`ran ${count} of ${n}`);
  return { ms, iterations };
}

function w3aMicrotask(n) {
  return new Promise((resolve) => {
    let count = 0;
    const t0 = now();
    const step = () => {
      if (++count < n) queueMicrotask(step);
      else resolve({ ms: now() - t0 });
    };
    queueMicrotask(step);
  });
}

function w3aNextTick(n) {
  return new Promise((resolve) => {
    let count = 0;
    const t0 = now();
    const step = () => {
      if (++count < n) process.nextTick(step);
      else resolve({ ms: now() - t0 });
    };
    process.nextTick(step);
  });
}

const W3A = {
  'evkit-blocking': w3aEvkitBlocking,
  'evkit-attached': w3aEvkitAttached,
  'node-queueMicrotask': w3aMicrotask,
  'node-nextTick': w3aNextTick,
};

const runW3a = rateRunner(W3A);

// ------------------------------------------------------------------ W3b: one callback per loop pass
// An Idle watcher counts N loop iterations; Node: a setImmediate chain.

function w3bEvkitBlocking(n) {
  const loop = new Loop();
  let count = 0;
  const idle = new Idle(loop);
  const t0 = now();
  idle.start(function () {
    if (++count >= n) this.stop();
  });
  loop.run();
  const ms = now() - t0;
  loop.destroy();
  if (count !== n) throw new Error(`ran ${count} of ${n}`);
  return ms;
}

async function w3bEvkitAttached(n) {
  const loop = new Loop();
  loop.attach();
  let count = 0;
  const idle = new Idle(loop);
  const t0 = now();
  idle.start(function () {
    if (++count >= n) this.stop();
  });
  await loop.runAsync();
  const ms = now() - t0;
  loop.destroy();
  if (count !== n) throw new Error(`ran ${count} of ${n}`);
  return ms;
}

function w3bNode(n) {
  return new Promise((resolve) => {
    let count = 0;
    const t0 = now();
    const step = () => {
      if (++count < n) setImmediate(step);
      else resolve(now() - t0);
    };
    setImmediate(step);
  });
}

const W3B = {
  'evkit-blocking': w3bEvkitBlocking,
  'evkit-attached': w3bEvkitAttached,
  'node-setImmediate': w3bNode,
};

async function runW3b(system, { n }) {
  const { ms } = await warmThenRun(W3B[system], n);
  return { metrics: { usPerPass: (ms * 1000) / n, ms }, info: { n } };
}

// ------------------------------------------------------------------ W4: cross-thread wake-up
// N round trips between a Worker and the loop. evkit: the worker stores a
// request number and calls `sender.send()`, then waits (Atomics.wait); the
// loop's Async callback replies with Atomics.store + Atomics.notify. Node:
// postMessage ping-pong with the main thread. The worker times every round
// trip and the whole run (src/worker.mjs).

const workerPath = new URL('./worker.mjs', import.meta.url);
// Int32 slots of the shared buffer (src/worker.mjs uses the same).
const W4_REQUEST = 0;
const W4_REPLY = 1;
const W4_FAILED = 2;

// Resolves with the worker's final { ok: true, ... } report (W4: { ms, lat });
// rejects on its error/exit or an { ok: false, error } report.
function workerResult(worker) {
  return new Promise((resolve, reject) => {
    let result = null;
    worker.on('message', (m) => {
      if ('ok' in m) result = m;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result?.ok) resolve(result);
      else reject(new Error(result?.error ?? `worker exited with code ${code} before reporting`));
    });
  });
}

// A blocked run() cannot see a Worker die: every 10 s, when progress() has
// not moved since the last look, onStall() (which should let run() return).
function stallGuard(loop, progress, onStall) {
  let last = NaN;
  return new Timer(loop, 10, 10, { ref: false }).start(function () {
    const p = progress();
    if (p === last) {
      onStall();
      this.stop();
    }
    last = p;
  });
}

async function w4Evkit(n, attached) {
  const loop = new Loop();
  if (attached) loop.attach();
  const shared = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  let replies = 0;
  const wake = new Async(loop).start(function () {
    // Sends coalesce, and one wake-up may find no new request: reply to
    // whatever request is current, once.
    const req = Atomics.load(shared, W4_REQUEST);
    if (Atomics.load(shared, W4_REPLY) !== req) {
      Atomics.store(shared, W4_REPLY, req);
      Atomics.notify(shared, W4_REPLY);
      replies++;
    }
    if (req >= n || Atomics.load(shared, W4_FAILED) !== 0) this.stop();
  });
  // The worker may die before its first line runs (a failed import, say).
  const watchdog = stallGuard(loop, () => Atomics.load(shared, W4_REQUEST), () => wake.stop());
  const worker = new Worker(workerPath, { workerData: { mode: 'async', n, shared, sender: wake.sender() } });
  const result = workerResult(worker);
  if (attached) await loop.runAsync();
  else loop.run(); // the worker's first send may come before or after this
  watchdog.stop();
  const r = await result;
  loop.destroy();
  if (replies !== n) throw new Error(`${replies} of ${n} replies`);
  return r;
}

async function w4Node(n) {
  const worker = new Worker(workerPath, { workerData: { mode: 'postMessage', n } });
  worker.on('message', (m) => {
    if (typeof m === 'number') worker.postMessage(m);
  });
  const result = new Promise((resolve, reject) => {
    worker.on('message', (m) => {
      if (typeof m !== 'number') m.ok ? resolve(m) : reject(new Error(m.error));
    });
    worker.once('error', reject);
  });
  const r = await result;
  await worker.terminate();
  return r;
}

const W4 = {
  'evkit-blocking': (n) => w4Evkit(n, false),
  'evkit-attached': (n) => w4Evkit(n, true),
  'node-postMessage': w4Node,
};

// Voluntary context switches of the whole process (every thread): each is a
// sleep in the kernel that a wake-up has to end.
const sleepsSoFar = () => process.resourceUsage().voluntaryContextSwitches;

async function runW4(system, { n }) {
  await W4[system](Math.max(100, Math.floor(n / 20)));
  const sleeps0 = sleepsSoFar();
  const r = await W4[system](n);
  const sleeps = (sleepsSoFar() - sleeps0) / n;
  const lat = Array.from(r.lat, (ms) => ms * 1000).sort((a, b) => a - b);
  return {
    metrics: { rate: n / (r.ms / 1000), p50: percentile(lat, 50), sleeps, ms: r.ms },
    info: { n, p90: percentile(lat, 90), p99: percentile(lat, 99), minUs: lat[0], maxUs: lat[lat.length - 1] },
  };
}

// ------------------------------------------------------------------ M: messages from a Worker
// A Worker sends n small messages ({ i }) as fast as it can, then `lone`
// messages one at a time, each stamped with its send time (src/worker.mjs,
// mode 'messages'). evkit: AsyncSender.send(value) into an AsyncMailbox (a
// full one is retried); Node: parentPort.postMessage. Burst rate: n over the
// time from "go" to the n-th message on the main thread (batch64: the worker
// sends the burst with AsyncSender.sendBatch, 64 messages at a time). Lone latency: arrival
// minus send time (hrtime, the same clock in every thread).

const M_GO = 1;
const M_ACK = 2;

// receive(shared, onMessage, go) starts the worker, calls go() once it is
// ready, feeds each message to onMessage (true: it was the last) and resolves
// with the worker's report.
async function mRun({ n, lone }, receive) {
  const shared = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  let count = 0;
  let burstMs = 0;
  const lat = [];
  const t0Box = { t0: 0 };
  const onMessage = (m) => {
    if (m.t === undefined) {
      if (++count === n) burstMs = now() - t0Box.t0;
      return false;
    }
    lat.push((Number(process.hrtime.bigint()) - m.t) / 1000);
    Atomics.store(shared, M_ACK, m.j + 1);
    Atomics.notify(shared, M_ACK);
    return m.j + 1 === lone; // the last one
  };
  // After the worker's { ready } message (its imports are done): starts the clock and the burst.
  const go = () => {
    t0Box.t0 = now();
    Atomics.store(shared, M_GO, 1);
    Atomics.notify(shared, M_GO);
  };
  const report = await receive(shared, onMessage, go);
  if (count !== n || lat.length !== lone) throw new Error(`got ${count} of ${n} and ${lat.length} of ${lone} messages`);
  return { ms: burstMs, lat, full: report.full };
}

function mEvkit(params, attached) {
  return mRun(params, async (shared, onMessage, go) => {
    const loop = new Loop();
    if (attached) loop.attach();
    const box = new AsyncMailbox(loop).start(function (m) {
      if (onMessage(m)) this.close();
    });
    const worker = new Worker(workerPath, { workerData: { mode: 'messages', ...params, shared, sender: box.sender() } });
    const result = workerResult(worker);
    const watchdog = stallGuard(loop, () => Atomics.load(shared, M_ACK), () => box.close());
    await Promise.race([once(worker, 'message'), result]);
    go();
    if (attached) await loop.runAsync();
    else loop.run();
    watchdog.stop();
    const r = await result;
    loop.destroy();
    return r;
  });
}

function mNode(params) {
  return mRun(params, (shared, onMessage, go) => {
    const worker = new Worker(workerPath, { workerData: { mode: 'messages', ...params, shared } });
    return new Promise((resolve, reject) => {
      worker.on('message', (m) => {
        if ('ok' in m) m.ok ? resolve(m) : reject(new Error(m.error));
        else if (m.ready) go();
        else onMessage(m);
      });
      worker.once('error', reject);
    });
  });
}

const M = {
  'evkit-attached': (params) => mEvkit(params, true),
  'evkit-attached-batch64': (params) => mEvkit({ ...params, batch: 64 }, true),
  'evkit-blocking': (params) => mEvkit(params, false),
  'node-postMessage': mNode,
};

async function runM(system, { n, lone }) {
  await M[system]({ n: Math.max(100, Math.floor(n / 20)), lone: Math.max(10, Math.floor(lone / 20)) });
  const r = await M[system]({ n, lone });
  const lat = r.lat.sort((a, b) => a - b);
  return {
    metrics: { rate: n / (r.ms / 1000), p50: percentile(lat, 50) },
    info: { n, lone, ms: r.ms, p90: percentile(lat, 90), p99: percentile(lat, 99), full: r.full },
  };
}

// ------------------------------------------------------------------ W5: scale
// P socket pairs, both ends watched (2P fds), one made ready per iteration:
// a byte is written to a random fd (seeded), so its peer becomes readable;
// the peer's callback reads it and writes the next one. evkit: Io READ
// watchers on one blocking loop, epoll or select. Node: P unix-domain `net`
// connections (2P sockets, client and server ends alike).
// Warm-up: the first 1/20 iterations run on the same fds and watchers and are
// not timed (making 10,000 of them twice would double the setup for nothing).
// Needs `ulimit -n` above 2P: bench.mjs starts this process through bash with
// a raised limit.

function openFileLimit() {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    return Number(line?.split(/\s{2,}/)[1]);
  } catch {
    return NaN;
  }
}

function w5Evkit(backend, pairs, iterations) {
  // The pairs come first, so that a select loop's fds stay as low as they can.
  const fds = new Int32Array(2 * pairs);
  try {
    for (let i = 0; i < pairs; i++) fds.set(socketpair(), 2 * i);
  } catch (error) {
    throw new Error(`making ${pairs} socket pairs (ulimit -n ${openFileLimit()}): ${error.message}`);
  }
  const maxFd = fds.reduce((m, fd) => Math.max(m, fd), -1);
  if (backend === 'select' && maxFd > 1023) {
    throw new Error(`select: fd ${maxFd} is above FD_SETSIZE - 1 (1023); use fewer pairs`);
  }
  const loop = new Loop({ flags: backend });
  if (loop.backend !== backend) throw new Error(`asked for ${backend}, got ${loop.backend}`);
  const rand = prng(0x5eed);
  let count = 0;
  let target = 0;
  const next = () => writeSync(fds[Math.floor(rand() * fds.length)], byte, 0, 1);
  const cb = (fd) => {
    drain(fd);
    if (++count < target) next();
    else loop.break();
  };
  const t0 = now();
  for (let i = 0; i < fds.length; i++) new Io(loop, fds[i], READ).start(cb, fds[i]);
  const setupMs = now() - t0;
  const lap = (n) => {
    count = 0;
    target = n;
    const t = now();
    next();
    loop.run();
    const ms = now() - t;
    if (count !== n) throw new Error(`${count} of ${n} iterations`);
    return ms;
  };
  lap(Math.max(100, Math.floor(iterations / 20)));
  const ms = lap(iterations);
  const active = loop.activeCount;
  loop.destroy();
  for (const fd of fds) closeSync(fd);
  if (active !== fds.length) throw new Error(`${active} active watchers, expected ${fds.length}`);
  return { ms, setupMs, fds: fds.length, maxFd };
}

async function w5Node(pairs, iterations) {
  const where = unixSocketPath('w5');
  rmSync(where, { force: true });
  const sockets = [];
  const server = net.createServer((socket) => sockets.push(socket));
  await new Promise((resolve, reject) => server.once('error', reject).listen({ path: where, backlog: 4096 }, resolve));
  const t0 = now();
  // Connect in batches: the listen backlog is finite.
  for (let made = 0; made < pairs; ) {
    const batch = Math.min(256, pairs - made);
    const accepted = made + batch;
    await Promise.all(
      Array.from(
        { length: batch },
        () =>
          new Promise((resolve, reject) => {
            const client = net.connect(where);
            client.once('error', (error) =>
              reject(new Error(`connection ${sockets.length} (ulimit -n ${openFileLimit()}): ${error.message}`)),
            );
            client.once('connect', () => {
              sockets.push(client);
              resolve();
            });
          }),
      ),
    );
    while (sockets.length < 2 * accepted) await new Promise((resolve) => setImmediate(resolve));
    made = accepted;
  }
  const setupMs = now() - t0;
  const rand = prng(0x5eed);
  const one = Buffer.from([1]);
  let count = 0;
  let target = 0;
  let finished = noop;
  const next = () => sockets[Math.floor(rand() * sockets.length)].write(one);
  const onData = () => {
    if (++count < target) next();
    else finished();
  };
  for (const s of sockets) s.on('data', onData);
  const lap = async (n) => {
    count = 0;
    target = n;
    const done = new Promise((resolve) => (finished = resolve));
    const t = now();
    next();
    await done;
    const ms = now() - t;
    if (count !== n) throw new Error(`${count} of ${n} iterations`);
    return ms;
  };
  await lap(Math.max(100, Math.floor(iterations / 20)));
  const ms = await lap(iterations);
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
  rmSync(where, { force: true });
  return { ms, setupMs, fds: sockets.length };
}

// What any binding whose callbacks use Node's fs calls pays at least: the
// same writes and reads as evkit's row (fs.writeSync to a random fd,
// fs.readSync on its peer), made straight in a loop that knows which fd is
// ready, with no event loop at all.
function w5FsFloor(pairs, iterations) {
  const fds = new Int32Array(2 * pairs);
  for (let i = 0; i < pairs; i++) fds.set(socketpair(), 2 * i);
  const rand = prng(0x5eed);
  const lap = (n) => {
    const t = now();
    for (let i = 0; i < n; i++) {
      const at = Math.floor(rand() * fds.length);
      writeSync(fds[at], byte, 0, 1);
      // Pairs are adjacent in fds: the peer of index i is i ^ 1.
      if (drain(fds[at ^ 1]) !== 1) throw new Error(`fd ${fds[at ^ 1]}: nothing to read`);
    }
    return now() - t;
  };
  lap(Math.max(100, Math.floor(iterations / 20)));
  const ms = lap(iterations);
  for (const fd of fds) closeSync(fd);
  return { ms, fds: fds.length };
}

async function runW5(system, { pairs, iterations }) {
  const r =
    system === 'evkit-epoll'
      ? w5Evkit('epoll', pairs, iterations)
      : system === 'evkit-select'
        ? w5Evkit('select', pairs, iterations)
        : system === 'node-net'
          ? await w5Node(pairs, iterations)
          : system === 'fs-floor'
            ? w5FsFloor(pairs, iterations)
            : undefined;
  if (r === undefined) throw new Error(`unknown W5 system ${system}`);
  return {
    metrics: { rate: iterations / (r.ms / 1000), ms: r.ms },
    info: { pairs, iterations, ...r, openFileLimit: openFileLimit() },
  };
}

// ------------------------------------------------------------------ W6: timer scale
// N timers with random timeouts in [1, 100] s are started, then all stopped.
// evkit uses a blocking loop that is never run. Memory: RSS after a full GC,
// before and after starting them (the handles array and the timeouts are
// allocated before the first reading, so they are not counted).

function w6Timeouts(n) {
  const rand = prng(0x5eed);
  const ms = new Int32Array(n);
  for (let i = 0; i < n; i++) ms[i] = 1000 + Math.floor(rand() * 99001); // integer ms in [1000, 100000]
  return ms;
}

// Starts n timers (start(i)), reading RSS after a full GC before and after
// when `measure`, then stops them (stop(i)); `active()` counts them while started.
// One process runs one system, so V8 inlines the callbacks like the loops they were.
function w6StartStop(n, measure, { start, active, stop }) {
  let rssBefore = 0;
  if (measure) {
    gc();
    rssBefore = process.memoryUsage().rss;
  }
  const t0 = now();
  for (let i = 0; i < n; i++) start(i);
  const t1 = now();
  let rssAfter = 0;
  let started = 0;
  if (measure) {
    started = active();
    gc();
    rssAfter = process.memoryUsage().rss;
  }
  const t2 = now();
  for (let i = 0; i < n; i++) stop(i);
  const t3 = now();
  return { startMs: t1 - t0, stopMs: t3 - t2, rssBefore, rssAfter, active: started };
}

function w6Evkit(n, timeoutsMs, measure) {
  const loop = new Loop();
  let timers = new Array(n).fill(null);
  const r = w6StartStop(n, measure, {
    start: (i) => (timers[i] = new Timer(loop, timeoutsMs[i] / 1000).start(noop)),
    active: () => loop.activeCount,
    stop: (i) => timers[i].stop(),
  });
  // Not close(): until ad33bd1 made evkit's native watcher registry O(1),
  // closing one watcher cost O(watchers on the loop) (1M took ~a minute).
  // destroy() releases them all at once; close() is measured separately, at a
  // smaller scale.
  const t0 = now();
  loop.destroy();
  const destroyMs = now() - t0;
  timers = null;
  return { ...r, destroyMs };
}

// close() of `n` started timers, one by one, in creation order.
function w6EvkitClose(n, timeoutsMs) {
  const loop = new Loop();
  const timers = new Array(n);
  for (let i = 0; i < n; i++) timers[i] = new Timer(loop, timeoutsMs[i] / 1000).start(noop);
  const t0 = now();
  for (let i = 0; i < n; i++) timers[i].close();
  const ms = now() - t0;
  loop.destroy();
  return ms;
}

function w6Node(n, timeoutsMs, measure) {
  const timers = new Array(n).fill(null);
  return w6StartStop(n, measure, {
    start: (i) => (timers[i] = setTimeout(noop, timeoutsMs[i])),
    active: () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length,
    stop: (i) => clearTimeout(timers[i]),
  });
}

// W1's floor object (FloorTimer) for W6: started, then stopped, no loop at all.
function w6JsFloor(n, timeoutsMs, measure) {
  const owners = [];
  const timers = new Array(n).fill(null);
  return w6StartStop(n, measure, {
    start: (i) => (timers[i] = new FloorTimer(owners, timeoutsMs[i] / 1000).start(noop)),
    active: () => owners.length,
    stop: (i) => timers[i].stop(),
  });
}

const W6 = { evkit: w6Evkit, 'node-setTimeout': w6Node, 'js-floor': w6JsFloor };

async function runW6(system, { n, closeN = 0 }) {
  const fn = W6[system];
  if (fn === undefined) throw new Error(`unknown W6 system ${system}`);
  const warm = Math.min(10_000, Math.max(100, Math.floor(n / 100)));
  fn(warm, w6Timeouts(warm), false);
  const timeouts = w6Timeouts(n);
  const r = fn(n, timeouts, true);
  if (r.active !== n) throw new Error(`expected ${n} active timers, saw ${r.active}`);
  const metrics = {
    startRate: n / (r.startMs / 1000),
    stopRate: n / (r.stopMs / 1000),
    rssPerTimer: (r.rssAfter - r.rssBefore) / n,
    peakRssMB: (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
  };
  const info = { n, ...r };
  if (system === 'evkit' && closeN > 0) {
    const ms = w6EvkitClose(closeN, timeouts);
    metrics.closeRate = closeN / (ms / 1000);
    info.closeN = closeN;
    info.closeMs = ms;
  }
  return { metrics, info };
}

// ------------------------------------------------------------------ W7: Io echo to a Node client
// N round trips between a Node client and an echo served by evkit, over a
// socket pair: Node owns one end through `new net.Socket({ fd })`, an Io READ
// watcher on an attached loop watches the other, reads what came (fs.readSync)
// and writes it back (fs.writeSync); the client sends the next byte on each
// echo. Node: W2's unix-domain net server echoing to a net client.
// Measured: first write to last echo received.

async function w7EvkitAttached(n) {
  const [served, theirs] = socketpair();
  const loop = new Loop();
  loop.attach();
  const echo = new Io(loop, served, READ).start(() => {
    const got = drain(served);
    if (got > 0) writeSync(served, scratch, 0, got);
  });
  // From here on the fd is Node's: destroy() closes it.
  const client = new net.Socket({ fd: theirs, readable: true, writable: true });
  const ms = await clientTrips(client, n);
  echo.stop();
  client.destroy();
  await loop.runAsync();
  loop.destroy();
  closeSync(served);
  return { ms };
}

const W7 = {
  'evkit-attached': w7EvkitAttached,
  'node-net': w2Node,
};

const runW7 = rateRunner(W7);

// ------------------------------------------------------------------ W8: evkit beside a Node HTTP server
// A Node http server in this process, under keep-alive load from a child
// process (src/http-load.mjs: `concurrency` connections, each sending its next GET when
// the previous response has ended; a warm-up, then a measured window; the
// child times every request). node-http+evkit: meanwhile an attached evkit
// loop runs a repeating Timer and W2's Io ping-pong without end; their counts
// over the measured window (marked by the child's messages) are reported too.
// node-http+node: the same beside work with Node's setInterval and net.

const loadPath = new URL('./http-load.mjs', import.meta.url);

async function httpServer() {
  const body = Buffer.from('ok\n');
  const server = http.createServer((req, res) => res.end(body));
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return server;
}

// A repeating timer and a byte bounced between two Io watchers, on an attached
// loop, counting until stop().
function evkitBusy(timerMs) {
  const loop = new Loop();
  loop.attach();
  const [a, b] = socketpair();
  const counts = { fires: 0, trips: 0 };
  const ticker = new Timer(loop, timerMs / 1000, timerMs / 1000).start(() => counts.fires++);
  const echo = new Io(loop, a, READ).start(() => {
    drain(a);
    writeSync(a, byte, 0, 1);
  });
  const back = new Io(loop, b, READ).start(() => {
    drain(b);
    counts.trips++;
    writeSync(b, byte, 0, 1);
  });
  writeSync(b, byte, 0, 1);
  const stop = async () => {
    for (const w of [ticker, echo, back]) w.stop();
    await loop.runAsync();
    loop.destroy();
    closeSync(a);
    closeSync(b);
  };
  return { counts, stop };
}

// The same work done with Node's own handles, the baseline of what sharing the
// thread costs: a setInterval and W2's net ping-pong (a unix-domain
// connection, the server end echoing) without end.
async function nodeBusy(timerMs) {
  const counts = { fires: 0, trips: 0 };
  const ticker = setInterval(() => counts.fires++, timerMs);
  const where = unixSocketPath('w8');
  rmSync(where, { force: true });
  // Its echo may still write when the client has gone at stop(): EPIPE is expected then.
  const server = net.createServer((socket) => socket.on('data', (d) => socket.write(d)).on('error', () => {}));
  await new Promise((resolve, reject) => server.once('error', reject).listen(where, resolve));
  const client = net.connect(where);
  await new Promise((resolve, reject) => client.once('error', reject).once('connect', resolve));
  let running = true;
  client.on('data', () => {
    counts.trips++;
    if (running) client.write(byte);
  });
  client.write(byte);
  const stop = async () => {
    running = false;
    clearInterval(ticker);
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
    rmSync(where, { force: true });
  };
  return { counts, stop };
}

// Runs the load generator against url; onPhase('measure' | 'stop') as its
// measured window opens and closes; resolves with its { ms, lat } report.
function httpLoad(url, { concurrency, warmMs, ms }, onPhase) {
  return new Promise((resolve, reject) => {
    const args = [url, concurrency, warmMs, ms].map(String);
    const child = fork(loadPath, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let report = null;
    child.on('message', (m) => (m.phase ? onPhase(m.phase) : (report = m)));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (report?.ok) resolve(report);
      else reject(new Error(report?.error ?? `load generator exited with code ${code} before reporting`));
    });
  });
}

const W8_BUSY = { 'node-http-alone': null, 'node-http+evkit': evkitBusy, 'node-http+node': nodeBusy };

async function runW8(system, { ms, warmMs, concurrency, timerMs }) {
  if (!(system in W8_BUSY)) throw new Error(`unknown W8 system ${system}`);
  const server = await httpServer();
  const busy = (await W8_BUSY[system]?.(timerMs)) ?? null;
  const marks = {};
  const mark = (phase) => (marks[phase] = { t: now(), ...busy?.counts });
  const url = `http://127.0.0.1:${server.address().port}/`;
  const report = await httpLoad(url, { concurrency, warmMs, ms }, mark);
  await busy?.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  const lat = report.lat.sort((a, b) => a - b); // ms
  const metrics = { rate: lat.length / (report.ms / 1000), p99: percentile(lat, 99) };
  const info = { concurrency, windowMs: report.ms, requests: lat.length };
  Object.assign(info, { p50: percentile(lat, 50), p90: percentile(lat, 90), maxMs: lat.at(-1) });
  if (busy) {
    const seconds = (marks.stop.t - marks.measure.t) / 1000;
    metrics.timerRate = (marks.stop.fires - marks.measure.fires) / seconds;
    metrics.pingPongRate = (marks.stop.trips - marks.measure.trips) / seconds;
    Object.assign(info, { timerMs, evkitWindowMs: seconds * 1000 });
  }
  return { metrics, info };
}

// ------------------------------------------------------------------ W9: many independent senders
// P socket pairs, an Io READ watcher on the receiving end of each, on one
// blocking loop; each callback reads what is there. A Worker (src/worker.mjs,
// mode 'senders') writes M single bytes to random pairs' sending ends as fast
// as it can, so readiness arrives from outside the loop, spread over time,
// instead of as a chain. The systems differ only in the loop's io collect
// interval (ev_set_io_collect_interval). Measured from the go signal to the
// worker until the last byte was read. process.cpuUsage() counts every thread,
// so its CPU time includes the worker's writes (the worker never idles); the
// loop thread's own is measured too where Linux's schedstat is there.
// Warm-up: a first lap of M/20 on the same fds and watchers, with its own worker.

const W9_COLLECT = { 'evkit-collect-0': 0, 'evkit-collect-1ms': 0.001, 'evkit-collect-5ms': 0.005 };
// Int32 slot 0 of the shared state: the worker waits for GO (src/worker.mjs uses the same).
const W9_GO = 1;

// CPU time of the calling thread in µs (Linux's schedstat); NaN where there is none.
function threadCpuUs() {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1000;
  } catch {
    return NaN;
  }
}

// Io READ watchers on `fds`, counting callbacks and bytes; arm(m) starts them
// all, and they all stop once m bytes came (or on stop()).
function w9Receivers(loop, fds) {
  const counts = { callbacks: 0, bytes: 0, target: 0 };
  const watchers = Array.from(fds, (fd) => new Io(loop, fd, READ));
  const stop = () => {
    for (const w of watchers) w.stop();
  };
  const cb = (fd) => {
    counts.callbacks++;
    counts.bytes += drain(fd);
    if (counts.bytes >= counts.target) stop();
  };
  const arm = (m) => {
    Object.assign(counts, { callbacks: 0, bytes: 0, target: m });
    watchers.forEach((w, i) => w.start(cb, fds[i]));
  };
  return { counts, arm, stop };
}

// One lap: a fresh worker sends m bytes to `sendFds` while the loop reads them.
async function w9Lap(loop, receivers, sendFds, m) {
  const state = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const worker = new Worker(workerPath, { workerData: { mode: 'senders', fds: sendFds, m, state } });
  const result = workerResult(worker);
  await Promise.race([once(worker, 'message'), result]); // { ready: true }: its startup is not timed
  receivers.arm(m);
  const guard = stallGuard(loop, () => receivers.counts.bytes, receivers.stop);
  const iteration0 = loop.iteration;
  const cpu0 = process.cpuUsage();
  const thread0 = threadCpuUs();
  const t0 = now();
  Atomics.store(state, 0, W9_GO);
  Atomics.notify(state, 0);
  loop.run();
  const ms = now() - t0;
  const threadUs = threadCpuUs() - thread0;
  const cpu = process.cpuUsage(cpu0);
  const iterations = loop.iteration - iteration0;
  guard.stop();
  const { full } = await result;
  const { callbacks, bytes } = receivers.counts;
  if (bytes !== m) throw new Error(`read ${bytes} of ${m} bytes`);
  return { ms, cpuUs: cpu.user + cpu.system, threadUs, iterations, callbacks, full };
}

async function runW9(system, { pairs, m }) {
  const interval = W9_COLLECT[system];
  if (interval === undefined) throw new Error(`unknown W9 system ${system}`);
  const ends = Array.from({ length: pairs }, socketpair);
  const loop = new Loop();
  loop.setIoCollectInterval(interval);
  const receivers = w9Receivers(loop, Int32Array.from(ends, ([receiving]) => receiving));
  const sendFds = Int32Array.from(ends, ([, sending]) => sending);
  await w9Lap(loop, receivers, sendFds, Math.max(100, Math.floor(m / 20)));
  const r = await w9Lap(loop, receivers, sendFds, m);
  loop.destroy();
  for (const fd of ends.flat()) closeSync(fd);
  const metrics = { rate: m / (r.ms / 1000), callbacksPerIteration: r.callbacks / r.iterations, cpuUsPerMessage: r.cpuUs / m };
  if (Number.isFinite(r.threadUs)) metrics.loopCpuUsPerMessage = r.threadUs / m;
  return { metrics, info: { pairs, m, interval, ...r, bytesPerCallback: m / r.callbacks } };
}

// ------------------------------------------------------------------ H-a: hand-off per iteration
// A 0-delay timer re-armed from its own callback N times. Node's closest
// equivalent (setTimeout(0) is clamped to 1 ms) is a setImmediate chain.

function haEvkitBlocking(n) {
  const loop = new Loop();
  const timer = new Timer(loop, 0);
  let count = 0;
  const cb = function () {
    if (++count < n) this.start(cb);
  };
  const t0 = now();
  timer.start(cb);
  loop.run();
  const ms = now() - t0;
  loop.destroy();
  if (count !== n) throw new Error(`ran ${count} of ${n}`);
  return ms;
}

async function haEvkitAttached(n) {
  const loop = new Loop();
  loop.attach();
  const timer = new Timer(loop, 0);
  let count = 0;
  const cb = function () {
    if (++count < n) this.start(cb);
  };
  const t0 = now();
  timer.start(cb);
  await loop.runAsync();
  const ms = now() - t0;
  loop.destroy();
  if (count !== n) throw new Error(`ran ${count} of ${n}`);
  return ms;
}

const HA = {
  'evkit-blocking': haEvkitBlocking,
  'evkit-attached': haEvkitAttached,
  'node-setImmediate': w3bNode,
};

async function runHa(system, { n }) {
  const { ms } = await warmThenRun(HA[system], n, 50);
  return { metrics: { usPerIter: (ms * 1000) / n, ms }, info: { n } };
}

// ------------------------------------------------------------------ H-b: wake-up latency
// Attached: the loop thread sleeps in the kernel (a 60 s timer keeps the loop
// alive); a Node setTimeout callback on the JS thread starts a 0-delay evkit
// Timer, and we time start() -> callback. Blocking: the same from inside an
// evkit timer callback of a running blocking loop (start() -> next pass).
// Node: from a setTimeout callback, setImmediate() -> its callback.

function hbEvkitAttached(samples, warmup, gapMs) {
  return new Promise((resolve) => {
    const loop = new Loop();
    loop.attach();
    const keeper = new Timer(loop, 60).start(noop);
    const probe = new Timer(loop, 0);
    const lat = [];
    let taken = 0;
    let t0 = 0;
    const fire = () => {
      const dt = now() - t0;
      if (taken++ >= warmup) lat.push(dt);
      if (lat.length < samples) setTimeout(kick, gapMs);
      else {
        keeper.stop();
        loop.runAsync().then(() => {
          loop.destroy();
          resolve(lat);
        });
      }
    };
    const kick = () => {
      t0 = now();
      probe.start(fire);
    };
    setTimeout(kick, gapMs);
  });
}

function hbEvkitBlocking(samples, warmup, gapMs) {
  const loop = new Loop();
  const keeper = new Timer(loop, 60).start(noop);
  const probe = new Timer(loop, 0);
  const gap = new Timer(loop, gapMs / 1000);
  const lat = [];
  let taken = 0;
  let t0 = 0;
  const fire = () => {
    const dt = now() - t0;
    if (taken++ >= warmup) lat.push(dt);
    if (lat.length < samples) gap.start(kick);
    else keeper.stop();
  };
  const kick = () => {
    t0 = now();
    probe.start(fire);
  };
  gap.start(kick);
  loop.run();
  loop.destroy();
  return lat;
}

function hbNode(samples, warmup, gapMs) {
  return new Promise((resolve) => {
    const lat = [];
    let taken = 0;
    let t0 = 0;
    const fire = () => {
      const dt = now() - t0;
      if (taken++ >= warmup) lat.push(dt);
      if (lat.length < samples) setTimeout(kick, gapMs);
      else resolve(lat);
    };
    const kick = () => {
      t0 = now();
      setImmediate(fire);
    };
    setTimeout(kick, gapMs);
  });
}

const HB = {
  'evkit-attached': hbEvkitAttached,
  'evkit-blocking': hbEvkitBlocking,
  'node-setImmediate': hbNode,
};

async function runHb(system, { samples, gapMs = 1 }) {
  const fn = HB[system];
  const warmup = Math.max(10, Math.floor(samples / 20));
  const lat = (await fn(samples, warmup, gapMs)).map((ms) => ms * 1000).sort((a, b) => a - b);
  return {
    metrics: { p50: percentile(lat, 50), p90: percentile(lat, 90), p99: percentile(lat, 99) },
    info: { samples: lat.length, warmup, gapMs, minUs: lat[0], maxUs: lat[lat.length - 1] },
  };
}

// ------------------------------------------------------------------ K: per-kind costs
// What one watcher of each kind costs: its whole life (construct, start, stop,
// close) and one delivered callback (N started watchers, each fed once, one
// non-blocking pass delivers them all; per callback). Node: setTimeout + clearTimeout, and
// a setImmediate per callback.

const CUSTOM = 0x01000000;
const kindFd = () => socketpair()[0]; // never readable: the Io stays quiet
const KINDS = {
  timer: (loop) => new Timer(loop, 1),
  periodic: (loop) => new Periodic(loop, 0, 3600),
  prepare: (loop) => new Prepare(loop),
  check: (loop) => new Check(loop),
  idle: (loop) => new Idle(loop),
  fork: (loop) => new Fork(loop),
  signal: (loop) => new Signal(loop, 'SIGUSR2'),
  io: (loop, fd) => new Io(loop, fd, READ),
  async: (loop) => new Async(loop),
  stat: (loop) => new Stat(loop, '/'),
};

function kindLifecycle(make, n) {
  const loop = new Loop();
  const fd = kindFd();
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const w = make(loop, fd);
    w.start(noop);
    w.stop();
    w.close();
  }
  const ms = now() - t0;
  loop.destroy();
  closeSync(fd);
  return ms;
}

function kindFire(make, n) {
  const loop = new Loop();
  const fd = kindFd();
  let fired = 0;
  const cb = () => fired++;
  const watchers = [];
  for (let i = 0; i < n; i++) watchers.push(make(loop, fd).start(cb));
  const t0 = now();
  for (const w of watchers) w.feed(CUSTOM);
  loop.run({ nowait: true });
  const ms = now() - t0;
  for (const w of watchers) w.close();
  loop.destroy();
  closeSync(fd);
  // Prepare, check and idle also fire by themselves in that pass: the cost is per callback.
  if (fired < n) throw new Error(`fired ${fired} of ${n}`);
  return (ms * n) / fired;
}

function nodeLifecycle(n) {
  const t0 = now();
  for (let i = 0; i < n; i++) clearTimeout(setTimeout(noop, 1000));
  return now() - t0;
}

function nodeFire(n) {
  return new Promise((resolve) => {
    let fired = 0;
    const t0 = now();
    const cb = () => {
      if (++fired === n) resolve(now() - t0);
    };
    for (let i = 0; i < n; i++) setImmediate(cb);
  });
}

async function runK(system, { n }) {
  const make = KINDS[system];
  if (make === undefined && system !== 'node') throw new Error(`unknown kind ${system}`);
  const life = await warmThenRun(make ? (m) => kindLifecycle(make, m) : nodeLifecycle, n);
  const fire = await warmThenRun(make ? (m) => kindFire(make, m) : nodeFire, n);
  return {
    metrics: { lifecycleNs: (life.ms * 1e6) / n, fireNs: (fire.ms * 1e6) / n },
    info: { n },
  };
}

// ------------------------------------------------------------------ main

const WORKLOADS = {
  W1: runW1,
  W2: runW2,
  W3a: runW3a,
  W3b: runW3b,
  W4: runW4,
  W5: runW5,
  W6: runW6,
  W7: runW7,
  W8: runW8,
  W9: runW9,
  Ha: runHa,
  Hb: runHb,
  K: runK,
  M: runM,
  X: runX,
};

async function main() {
  const [workload, system, paramsJson = '{}'] = process.argv.slice(2);
  const run = WORKLOADS[workload];
  if (run === undefined) throw new Error(`unknown workload ${workload}`);
  const params = JSON.parse(paramsJson);
  const result = await run(system, params);
  process.stdout.write(`${JSON.stringify({ ok: true, workload, system, ...result })}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stdout.write(`${JSON.stringify({ ok: false, error: String(error?.stack ?? error) })}\n`);
    process.exit(1);
  },
);
