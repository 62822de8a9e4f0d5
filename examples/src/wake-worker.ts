// Runs in a worker thread: does some "work", then wakes the main thread's loop.
import { workerData } from 'node:worker_threads';
import { AsyncSender, type AsyncSenderData } from '@evkit/async';

const { wake, n } = workerData as { wake: AsyncSenderData; n: number };
let a = 0;
let b = 1;
for (let i = 0; i < n; i++) [a, b] = [b, a + b];
const sender = AsyncSender.from(wake);
// The result travels in a SharedArrayBuffer; the wake-up through evkit.
(workerData as { result: Float64Array }).result[0] = a;
sender.send();
