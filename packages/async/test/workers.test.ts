// Cross-thread wake-ups with worker_threads, blocking and attached:
// - a send from another thread 100 ms later wakes a blocked
//   run(); the callback runs after the send (nothing else wakes the loop);
// - sends from another thread coalesce until the loop picks them up;
// - a worker's own loop is woken from the main thread the same way;
// - a sender reports false once the watcher's loop is gone: destroy(), a
//   worker's natural exit, terminate().
import { Worker } from 'node:worker_threads';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Loop } from '@evkit/loop';
import { Async, AsyncSender, type AsyncSenderData } from '@evkit/async';
import { Timer } from '@evkit/timer';
import { useFreshLoop, useProcessTimeout } from '@evkit/test-utils';

useProcessTimeout(); // child processes or workers: see PROCESS_TEST_TIMEOUT_MS

const workerUrl = new URL('./fixtures/worker.mjs', import.meta.url);
// CLOCK_MONOTONIC, the same in every thread (timeOrigin + now() may differ per thread).
const now = () => Number(process.hrtime.bigint()) / 1e6;

function makeSync() {
  const sync = new SharedArrayBuffer(96);
  return { sync, flags: new Int32Array(sync, 0, 8), times: new Float64Array(sync, 32, 8) };
}

function go(flags: Int32Array): void {
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
}

interface Spawned {
  worker: Worker;
  next(): Promise<Record<string, unknown>>;
  exited: Promise<number>;
}

function spawn(workerData: Record<string, unknown>): Spawned {
  const worker = new Worker(workerUrl, { workerData });
  const queue: Record<string, unknown>[] = [];
  const waiting: Array<(m: Record<string, unknown>) => void> = [];
  worker.on('message', (m) => {
    const w = waiting.shift();
    if (w) w(m);
    else queue.push(m);
  });
  const exited = new Promise<number>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', resolve);
  });
  return {
    worker,
    exited,
    next: () => {
      const m = queue.shift();
      return m ? Promise.resolve(m) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/** Breaks a blocking run() that would otherwise hang the test run. */
function guard(loop: Loop, seconds = 15) {
  let fired = false;
  const timer = new Timer(loop, seconds, 0, { ref: false }).start(() => {
    fired = true;
    loop.break('all');
  });
  return { timer, fired: () => fired };
}

describe('wake-ups from a Worker: blocking run()', () => {
  const fresh = useFreshLoop();

  it('a send 100 ms later wakes a blocked run() and the callback runs', async () => {
    const loop = fresh();
    let wokeAt = 0;
    const g = guard(loop);
    const a = new Async(loop).start(() => {
      wokeAt = now();
      a.stop();
      g.timer.stop();
    });
    const { sync, flags, times } = makeSync();
    const w = spawn({ task: 'send-later', sender: a.sender(), sync, delayMs: 100 });
    const blockedAt = now(); // read before go(): the worker's 100 ms cannot start earlier
    go(flags);
    expect(loop.run()).toBe(false);
    expect(g.fired()).toBe(false);
    const sentAt = times[1]!;
    expect(sentAt - blockedAt).toBeGreaterThanOrEqual(95);
    expect(wokeAt).toBeGreaterThanOrEqual(sentAt);
    expect(wokeAt - sentAt).toBeLessThan(5000); // a hang guard: not woken, only the 15 s guard ends run()
    expect(await w.next()).toEqual({ ok: true });
    expect(await w.exited).toBe(0);
  });

  it('sends from another thread before the loop iterates give one callback', async () => {
    const loop = fresh();
    let calls = 0;
    const a = new Async(loop).start(() => calls++);
    const { sync, flags } = makeSync();
    const w = spawn({ task: 'burst', sender: a.sender(), sync, count: 1000 });
    go(flags);
    expect(Atomics.wait(flags, 2, 0, 15_000)).not.toBe('timed-out');
    expect(a.sent).toBe(true);
    loop.run({ nowait: true });
    expect(calls).toBe(1);
    loop.run({ nowait: true });
    expect(calls).toBe(1);
    expect(await w.next()).toEqual({ trues: 1000 });
    a.stop();
    await w.exited;
  });

  it('a send after loop.destroy() returns false in the worker', async () => {
    const loop = fresh();
    const a = new Async(loop).start(() => {});
    const data = structuredClone(a.sender());
    loop.destroy();
    const { sync, flags } = makeSync();
    const w = spawn({ task: 'send-later', sender: data, sync, delayMs: 0 });
    go(flags);
    expect(await w.next()).toEqual({ ok: false });
    await w.exited;
  });
});

describe('wake-ups from a Worker: attached loop', () => {
  const fresh = useFreshLoop();

  it('a send 100 ms later wakes the attached loop and the callback runs', async () => {
    const loop = fresh().attach();
    const { sync, flags, times } = makeSync();
    let resolveWoke!: (at: number) => void;
    const woke = new Promise<number>((resolve) => (resolveWoke = resolve));
    const a = new Async(loop).start(() => {
      resolveWoke(now());
      a.stop();
    });
    const w = spawn({ task: 'send-later', sender: a.sender(), sync, delayMs: 100 });
    const goneAt = now(); // read before go(): the worker's 100 ms cannot start earlier
    go(flags);
    const wokeAt = await woke;
    const sentAt = times[1]!;
    expect(sentAt - goneAt).toBeGreaterThanOrEqual(95);
    expect(wokeAt).toBeGreaterThanOrEqual(sentAt);
    expect(wokeAt - sentAt).toBeLessThan(5000); // a hang guard: not woken, nothing else would ever wake it
    expect(await w.next()).toEqual({ ok: true });
    await w.exited;
  });

  it('sent is true after send() until the callback runs, false inside it', async () => {
    const loop = fresh().attach();
    const inside: boolean[] = [];
    const done = new Promise<void>((resolve) => {
      const a = new Async(loop).start(() => {
        inside.push(a.sent);
        a.stop();
        resolve();
      });
      a.send();
      expect(a.sent).toBe(true);
    });
    await done;
    expect(inside).toEqual([false]);
  });

  it('sends made while the loop thread waits for a delivery give one callback', async () => {
    const loop = fresh().attach();
    const { sync, flags } = makeSync();
    let calls = 0;
    let sentWhileParked = false;
    const a = new Async(loop).start(() => calls++);
    const w = spawn({ task: 'burst', sender: a.sender(), sync, count: 1000 });
    const gateDone = new Promise<void>((resolve) => {
      // Inside a callback of the loop its thread is parked: the worker's 1000
      // sends all land before libev can look at them.
      const gate = new Async(loop).start(() => {
        go(flags);
        Atomics.wait(flags, 2, 0, 15_000);
        sentWhileParked = a.sent;
        a.send();
        a.send();
        gate.stop();
        resolve();
      });
      gate.send();
    });
    await gateDone;
    expect(sentWhileParked).toBe(true);
    // A second watcher's callback after the first wave: a's would have come first.
    await new Promise<void>((resolve) => {
      const marker = new Async(loop).start(() => {
        marker.stop();
        resolve();
      });
      const wait = () => (calls > 0 ? marker.send() : setTimeout(wait, 1));
      wait();
    });
    await tick();
    expect(calls).toBe(1);
    expect(await w.next()).toEqual({ trues: 1000 });
    a.stop();
    await w.exited;
  });

  it('a send on a stopped watcher is lost on an attached loop too', async () => {
    const loop = fresh().attach();
    let calls = 0;
    const a = new Async(loop).start(() => calls++);
    a.stop();
    expect(a.sender().send()).toBe(true);
    a.send();
    a.start(() => calls++);
    expect(a.sent).toBe(false);
    await new Promise<void>((resolve) => {
      const marker = new Async(loop).start(() => {
        marker.stop();
        resolve();
      });
      marker.send();
    });
    await tick();
    expect(calls).toBe(0);
    a.stop();
  });
});

describe("waking a worker's own loop from the main thread", () => {
  for (const mode of ['blocking', 'attached'] as const) {
    it(`${mode}: the sender wakes it; after the worker exits, send() returns false`, async () => {
      const { sync, times } = makeSync();
      const w = spawn({ task: 'own-loop', mode, sync });
      const { sender } = (await w.next()) as { sender: AsyncSenderData };
      const s = AsyncSender.from(sender);
      const sentAt = now();
      expect(s.send()).toBe(true);
      const report = await w.next();
      expect(report).toMatchObject({ woken: true, calls: 1, sentInside: false });
      expect(times[2]! - sentAt).toBeLessThan(5000); // a hang guard: nothing else wakes the worker's loop
      expect(await w.exited).toBe(0);
      expect(s.send()).toBe(false);
    });

    it(`${mode}: after terminate(), send() returns false`, async () => {
      const w = spawn({ task: 'hold', mode });
      const { sender } = (await w.next()) as { sender: AsyncSenderData };
      const s = AsyncSender.from(sender);
      expect(s.send()).toBe(true);
      const started = performance.now();
      await w.worker.terminate();
      expect(performance.now() - started).toBeLessThan(10_000); // a hang guard
      expect(s.send()).toBe(false);
      expect(AsyncSender.from(sender).send()).toBe(false);
    });

    it(`${mode}: terminate() racing sends from the main thread: true, then false for good`, async () => {
      const w = spawn({ task: 'hold', mode });
      const { sender } = (await w.next()) as { sender: AsyncSenderData };
      const s = AsyncSender.from(sender);
      expect(s.send()).toBe(true);
      const terminated = w.worker.terminate();
      let trues = 0;
      let falses = 0;
      let trueAfterFalse = 0;
      const deadline = performance.now() + 15_000;
      // The worker tears its loop down on its own thread while this one sends.
      while (falses < 1000 && performance.now() < deadline) {
        if (s.send()) {
          trues++;
          if (falses > 0) trueAfterFalse++;
        } else {
          falses++;
        }
      }
      await terminated;
      expect(falses).toBe(1000);
      expect(trueAfterFalse).toBe(0);
      expect(s.send()).toBe(false);
    });
  }
});
