// A user's worker sends values to an AsyncMailbox on a blocking loop: each
// arrives once, in order, as the value that was sent.
import { Worker } from 'node:worker_threads';
import { isDeepStrictEqual } from 'node:util';
import { Loop } from '@evkit/loop';
import { AsyncMailbox } from '@evkit/async';

const loop = new Loop();
const got = [];
const box = new AsyncMailbox(loop).start(function (message) {
  got.push(message);
  if (got.length === 3) this.close(); // run() returns
});
const worker = `
  const { workerData } = require('node:worker_threads');
  import('@evkit/async').then(({ AsyncSender }) => {
    const to = AsyncSender.from(workerData);
    to.send({ n: 1 });
    to.sendBatch([2n, new Map([[3, 'three']])]);
  });`;
new Worker(worker, { eval: true, workerData: box.sender() });
loop.run();
loop.destroy();
const want = [{ n: 1 }, 2n, new Map([[3, 'three']])];
if (!isDeepStrictEqual(got, want)) throw new Error(`the mailbox got ${JSON.stringify(got, (k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
console.log('mailbox: 3 messages from a worker, in order');
