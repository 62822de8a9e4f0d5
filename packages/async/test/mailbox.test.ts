// AsyncMailbox: values across threads.
// - every message reaches the callback once, oldest first, with its args;
//   wake-ups coalesce, messages never do;
// - the mailbox is bounded: a send to a full one throws and queues nothing;
// - a stopped mailbox keeps its messages for the next start(), close() drops
//   them and senders then get false;
// - a throwing callback loses nothing: the rest arrive at the next wake-up;
// - from worker threads, in both run modes, thousands of messages in order.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { EvError, Loop, WatcherClosedError } from '@evkit/loop';
import { binding } from '@evkit/core-native/binding';
import { Async, AsyncMailbox, AsyncSender } from '@evkit/async';
import { Timer } from '@evkit/timer';
import { useFreshLoop, useProcessTimeout } from '@evkit/test-utils';

useProcessTimeout(); // workers: see PROCESS_TEST_TIMEOUT_MS

describe('AsyncMailbox (blocking run)', () => {
  const fresh = useFreshLoop();

  it('delivers each message once, oldest first, with the args, `this` the watcher', () => {
    const loop = fresh();
    const got: unknown[][] = [];
    const box = new AsyncMailbox(loop).start(function (message, tag) {
      expect(this).toBe(box);
      got.push([message, tag]);
    }, 'tag');
    const when = new Date(0);
    box.send({ a: [1, 2] });
    box.send();
    box.send(new Map([['k', when]]));
    box.send(2n ** 70n);
    // Small values travel in a compact form of their own: interleaved with node:v8's.
    box.send({ i: 1, s: 'é' });
    box.send([0.5, 'x', null]);
    expect(loop.run({ nowait: true })).toBe(true);
    expect(got).toEqual([
      [{ a: [1, 2] }, 'tag'],
      [undefined, 'tag'],
      [new Map([['k', when]]), 'tag'],
      [2n ** 70n, 'tag'],
      [{ i: 1, s: 'é' }, 'tag'],
      [[0.5, 'x', null], 'tag'],
    ]);
    box.close();
  });

  it('a typed array in a message stays its own after later wake-ups', () => {
    const loop = fresh();
    const got: Uint8Array[] = [];
    const box = new AsyncMailbox<{ bytes: Uint8Array }>(loop).start((message) => got.push(message.bytes));
    for (const fill of [1, 2, 3]) {
      box.send({ bytes: new Uint8Array(8).fill(fill) });
      loop.run({ nowait: true });
    }
    expect(got.map((bytes) => [...bytes])).toEqual([1, 2, 3].map((fill) => new Array(8).fill(fill)));
    box.close();
  });

  it('a send queues the bytes of its own message only, also when the one before was longer', () => {
    const loop = fresh();
    const box = new AsyncMailbox(loop);
    box.send('x'.repeat(600)); // leaves the sender's reused buffer dirty past the next message
    box.send(7);
    // The native mailbox, as the callback's delivery takes it: [kind, length, bytes] per message.
    const taken = Buffer.alloc(4096);
    const nativeId = (box as unknown as { nativeId(): number }).nativeId();
    const size = binding.asyncTakeMessages(nativeId, taken) as number;
    const second = 8 + taken.readUInt32LE(4);
    expect(taken.readUInt32LE(second + 4)).toBe(6); // compact tag, INT32 tag, 4 bytes
    expect(size).toBe(second + 8 + 6);
    box.close();
  });

  it('a full mailbox refuses a send with ERR_EVKIT_MAILBOX_FULL and queues nothing; delivery makes room', () => {
    const loop = fresh();
    const got: unknown[] = [];
    const box = new AsyncMailbox<number>(loop, { limit: 3 }).start((n) => got.push(n));
    for (let i = 0; i < 3; i++) box.send(i);
    expect(() => box.send(3)).toThrow(expect.objectContaining({ name: 'EvError', code: 'ERR_EVKIT_MAILBOX_FULL' }));
    expect(() => box.sender().send(3)).toThrow(EvError);
    loop.run({ nowait: true });
    expect(got).toEqual([0, 1, 2]);
    box.send(4);
    loop.run({ nowait: true });
    expect(got).toEqual([0, 1, 2, 4]);
    box.close();
  });

  it('a stopped mailbox keeps its messages, also those a stop left undelivered, for the next start()', () => {
    const loop = fresh();
    const got: string[] = [];
    const box = new AsyncMailbox<string>(loop);
    box.send('before start');
    box.start(function (message) {
      got.push(message);
      if (message === 'b') this.stop();
    });
    box.send('b');
    box.send('c');
    loop.run({ nowait: true });
    expect(got).toEqual(['before start', 'b']);
    box.send('d');
    loop.run({ nowait: true });
    expect(got).toEqual(['before start', 'b']);
    box.start((message) => got.push(message));
    loop.run({ nowait: true });
    expect(got).toEqual(['before start', 'b', 'c', 'd']);
    box.close();
  });

  it('close() drops waiting messages; senders then return false', () => {
    const loop = fresh();
    const got: unknown[] = [];
    const box = new AsyncMailbox(loop).start((message) => got.push(message));
    const sender = box.sender();
    box.send(1);
    box.close();
    expect(sender.send(2)).toBe(false);
    expect(sender.send()).toBe(false);
    // The mailbox itself refuses, also with its sender taken before close().
    expect(() => box.send(3)).toThrow(WatcherClosedError);
    expect(() => box.sendBatch([4])).toThrow(WatcherClosedError);
    expect(() => box.sender()).toThrow(WatcherClosedError);
    loop.run({ nowait: true });
    expect(got).toEqual([]);
  });

  it('a throwing callback loses no message: the error goes to the loop, the rest arrive next', () => {
    const loop = fresh();
    const errors: unknown[] = [];
    loop.errorHandler = (error) => errors.push(error);
    const got: number[] = [];
    const box = new AsyncMailbox<number>(loop).start((n) => {
      got.push(n);
      if (n === 1) throw new Error('boom');
    });
    for (let i = 0; i < 4; i++) box.send(i);
    loop.run({ nowait: true });
    loop.run({ nowait: true });
    expect(got).toEqual([0, 1, 2, 3]);
    expect(errors).toEqual([new Error('boom')]);
    box.close();
  });

  it('an unserializable value throws ERR_INVALID_ARG_VALUE and queues nothing', () => {
    const loop = fresh();
    const got: unknown[] = [];
    const box = new AsyncMailbox(loop).start((message) => got.push(message));
    expect(() => box.send(() => 1)).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE' }));
    box.send('ok');
    loop.run({ nowait: true });
    expect(got).toEqual(['ok']);
    box.close();
  });

  it('a value to a plain Async is a TypeError; a send without one still wakes it', () => {
    const loop = fresh();
    let calls = 0;
    const plain = new Async(loop).start(() => calls++);
    expect(() => plain.sender().send('x')).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }));
    expect(plain.sender().send()).toBe(true);
    loop.run({ nowait: true });
    expect(calls).toBe(1);
    plain.close();
  });

  it('checks its options', () => {
    const loop = fresh();
    expect(() => new AsyncMailbox(loop, { limit: 0 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => new AsyncMailbox(loop, { limit: 1.5 })).toThrow(RangeError);
    expect(() => new AsyncMailbox(loop, { limit: '3' as unknown as number })).toThrow(TypeError);
    expect(loop.activeCount).toBe(0);
  });
});

// An eval'd worker resolves bare specifiers from the working directory: import by path.
const ASYNC_DIST = JSON.stringify(new URL('../dist/index.js', import.meta.url).href);
const SENDER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
import(${ASYNC_DIST}).then(({ AsyncSender }) => {
  const sender = AsyncSender.from(workerData.sender);
  let full = 0;
  for (let i = 0; i < workerData.count; i++) {
    const message = { from: workerData.from, i };
    for (;;) {
      try {
        sender.send(message);
        break;
      } catch (error) {
        if (error.code !== 'ERR_EVKIT_MAILBOX_FULL') throw error;
        full++;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      }
    }
  }
  parentPort.postMessage({ full });
});`;

function startSenders(box: AsyncMailbox<{ from: number; i: number }>, workers: number, count: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: workers }, (_, from) => {
      const worker = new Worker(SENDER_SOURCE, { eval: true, workerData: { sender: box.sender(), from, count } });
      return new Promise<number>((resolve, reject) => {
        worker.once('message', (m: { full: number }) => resolve(m.full));
        worker.once('error', reject);
      });
    }),
  );
}

function checkOrder(got: Array<{ from: number; i: number }>, workers: number, count: number): void {
  expect(got).toHaveLength(workers * count);
  const next = new Array<number>(workers).fill(0);
  for (const { from, i } of got) {
    expect(i).toBe(next[from]);
    next[from]!++;
  }
}

describe('AsyncMailbox (attached)', () => {
  const fresh = useFreshLoop();

  it('messages an attached delivery took for a callback that did not read them wait, in order, for the next one', async () => {
    const loop = fresh().attach();
    const got: unknown[] = [];
    let wakeUps = 0;
    let skipped!: () => void;
    let allThree!: () => void;
    const first = new Promise<void>((resolve) => (skipped = resolve));
    const second = new Promise<void>((resolve) => (allThree = resolve));
    // The first wake-up skips the mailbox's own delivery: what the loop took
    // for it goes back to the mailbox, ahead of what comes later.
    class Skipping extends AsyncMailbox<number> {
      protected override fire(callback: Parameters<AsyncMailbox['fire']>[0], args: unknown[], revents: number): void {
        if (++wakeUps === 1) {
          skipped();
          return;
        }
        super.fire(callback, args, revents);
        if (got.length === 3) allThree();
      }
    }
    const box = new Skipping(loop).start((message: number) => got.push(message));
    box.send(1);
    box.send(2);
    await first;
    expect(got).toEqual([]);
    box.send(3);
    await second;
    expect(got).toEqual([1, 2, 3]);
    box.close();
  });
});

describe('AsyncMailbox across threads', () => {
  it('attached: 3 workers x 5,000 messages arrive in order per sender, each once, with fewer wake-ups than messages', async () => {
    const loop = new Loop().attach();
    const got: Array<{ from: number; i: number }> = [];
    const box = new AsyncMailbox<{ from: number; i: number }>(loop, { limit: 1000 });
    const before = loop.stats().iterations;
    await new Promise<void>((resolve) => {
      box.start(function (message) {
        got.push(message);
        if (got.length === 15_000) {
          this.close();
          resolve();
        }
      });
      void startSenders(box, 3, 5000);
    });
    const wakeups = loop.stats().iterations - before;
    checkOrder(got, 3, 5000);
    expect(wakeups).toBeLessThan(15_000);
    loop.destroy();
  });

  it('blocking: a worker fills a small mailbox faster than the loop takes it; back-pressure loses nothing', async () => {
    const loop = new Loop();
    const got: Array<{ from: number; i: number }> = [];
    // A hang guard: the test fails (short) instead of hanging.
    const guard = new Timer(loop, 30, 0).start(() => box.close());
    const box = new AsyncMailbox<{ from: number; i: number }>(loop, { limit: 16 }).start(function (message) {
      got.push(message);
      if (got.length < 2000) return;
      this.close();
      guard.close();
    });
    const senders = startSenders(box, 1, 2000);
    loop.run(); // the referenced mailbox keeps it going until the last message
    const [full] = await senders;
    checkOrder(got, 1, 2000);
    expect(full).toBeGreaterThan(0);
    loop.destroy();
  });

  it('a sender rebuilt from plain data keeps its message type at compile time and works', () => {
    const loop = new Loop();
    const box = new AsyncMailbox<string>(loop);
    const sender = AsyncSender.from<string>({ ...box.sender() });
    let got = '';
    box.start((message) => {
      got = message;
      box.close();
    });
    expect(sender.send('typed')).toBe(true);
    loop.run();
    expect(got).toBe('typed');
    loop.destroy();
  });
});

describe('AsyncMailbox.sendBatch', () => {
  const fresh = useFreshLoop();

  it('delivers each element as its own message, in order, all or none against the limit', () => {
    const loop = fresh();
    const got: unknown[] = [];
    const box = new AsyncMailbox<string | { shared: number[] }>(loop, { limit: 5 }).start((m) => got.push(m));
    box.send('first');
    box.sendBatch(['a', 'b', 'c']);
    expect(() => box.sendBatch(['x', 'y'])).toThrow(expect.objectContaining({ code: 'ERR_EVKIT_MAILBOX_FULL' }));
    expect(box.sender().sendBatch([])).toBe(true);
    loop.run({ nowait: true });
    expect(got).toEqual(['first', 'a', 'b', 'c']);
    const shared = { shared: [1] };
    box.sendBatch([shared, shared]);
    loop.run({ nowait: true });
    expect(got).toHaveLength(6);
    expect(got[4]).toBe(got[5]); // one serialization: the same object twice
    expect(() => box.sendBatch('ab' as unknown as string[])).toThrow(TypeError);
    const sender = box.sender();
    box.close();
    expect(sender.sendBatch(['late'])).toBe(false);
  });
});

describe('for await over an AsyncMailbox', () => {
  it('yields the messages in order, pauses at highWaterMark (the mailbox fills up meanwhile), ends on close', async () => {
    const loop = new Loop().attach();
    const box = new AsyncMailbox<number>(loop, { limit: 100 });
    box.send(0); // sent before the iteration: kept for it
    const got: number[] = [];
    const iteration = (async () => {
      for await (const message of box.iterate({ highWaterMark: 4 })) {
        const n: number = message; // typed as the mailbox's messages
        got.push(n);
        if (n === 9) box.close();
      }
    })();
    for (let i = 1; i < 10; i++) box.send(i);
    await iteration;
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    loop.destroy();
  });

  it('break stops the mailbox; what was sent meanwhile waits for the next start()', async () => {
    const loop = new Loop().attach();
    const box = new AsyncMailbox<string>(loop);
    box.sendBatch(['a', 'b']);
    for await (const message of box) {
      expect(message).toBe('a');
      break;
    }
    expect(box.active).toBe(false);
    box.send('c');
    const rest: string[] = [];
    await new Promise<void>((resolve) => {
      box.start((message) => {
        rest.push(message);
        if (rest.length === 2) resolve();
      });
    });
    expect(rest).toEqual(['b', 'c']);
    loop.destroy();
  });
});
