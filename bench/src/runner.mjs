// One measurement in a fresh process:
//   node --expose-gc src/runner.mjs <workload> <system> <json-params>
// Prints exactly one JSON line on stdout: { ok: true, metrics: {...}, info: {...} }
// (or { ok: false, error }) and exits. Every workload does a small warm-up of
// the same code path first, except where noted, so that the measured part
// runs with the JIT already warm for evkit and Node alike.
import { performance } from 'node:perf_hooks';
import { Loop } from '@evkit/loop';
import { Timer } from '@evkit/timer';
import { Idle } from '@evkit/prepare-check';

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

const W1 = {
  'evkit-blocking': w1EvkitBlocking,
  'evkit-attached': w1EvkitAttached,
  'evkit-attached-prestart': w1EvkitAttachedPrestart,
  'node-setTimeout': w1Node,
};

async function runW1(system, { n }) {
  const fn = W1[system];
  await fn(Math.max(100, Math.floor(n / 20)));
  const ms = await fn(n);
  return { metrics: { rate: n / (ms / 1000), ms }, info: { n } };
}

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

async function runW3a(system, { n }) {
  const fn = W3A[system];
  await fn(Math.max(100, Math.floor(n / 20)));
  const r = await fn(n);
  const info = { n };
  if (r.iterations !== undefined) info.loopIterations = r.iterations;
  return { metrics: { rate: n / (r.ms / 1000), ms: r.ms }, info };
}

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
  const fn = W3B[system];
  await fn(Math.max(100, Math.floor(n / 20)));
  const ms = await fn(n);
  return { metrics: { usPerPass: (ms * 1000) / n, ms }, info: { n } };
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

function w6Evkit(n, timeoutsMs, measure) {
  const loop = new Loop();
  let timers = new Array(n).fill(null);
  let rssBefore = 0;
  if (measure) {
    gc();
    rssBefore = process.memoryUsage().rss;
  }
  const t0 = now();
  for (let i = 0; i < n; i++) timers[i] = new Timer(loop, timeoutsMs[i] / 1000).start(noop);
  const t1 = now();
  let rssAfter = 0;
  let active = 0;
  if (measure) {
    active = loop.activeCount;
    gc();
    rssAfter = process.memoryUsage().rss;
  }
  const t2 = now();
  for (let i = 0; i < n; i++) timers[i].stop();
  const t3 = now();
  // Not close(): closing one watcher costs O(watchers on the loop) in
  // evkit's native registry, so closing 1M takes ~a minute. destroy() releases
  // them all at once; close() is measured separately, at a smaller scale.
  loop.destroy();
  const t4 = now();
  timers = null;
  return { startMs: t1 - t0, stopMs: t3 - t2, destroyMs: t4 - t3, rssBefore, rssAfter, active };
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
  let rssBefore = 0;
  if (measure) {
    gc();
    rssBefore = process.memoryUsage().rss;
  }
  const t0 = now();
  for (let i = 0; i < n; i++) timers[i] = setTimeout(noop, timeoutsMs[i]);
  const t1 = now();
  let rssAfter = 0;
  let active = 0;
  if (measure) {
    active = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    gc();
    rssAfter = process.memoryUsage().rss;
  }
  const t2 = now();
  for (let i = 0; i < n; i++) clearTimeout(timers[i]);
  const t3 = now();
  return { startMs: t1 - t0, stopMs: t3 - t2, rssBefore, rssAfter, active };
}

async function runW6(system, { n, closeN = 0 }) {
  const fn = system === 'evkit' ? w6Evkit : system === 'node-setTimeout' ? w6Node : undefined;
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
  const fn = HA[system];
  await fn(Math.max(50, Math.floor(n / 20)));
  const ms = await fn(n);
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

// ------------------------------------------------------------------ main

const WORKLOADS = { W1: runW1, W3a: runW3a, W3b: runW3b, W6: runW6, Ha: runHa, Hb: runHb };

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
