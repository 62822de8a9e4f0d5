// The Worker side of W4 and W9 (started by src/runner.mjs). W4: N round trips
// to the main thread, each timed with performance.now(). Posts one message at
// the end: { ok: true, ms, lat } (lat: a Float64Array of round-trip times in
// ms, ms: first request to last reply) or { ok: false, error }.
//
//   mode 'async'        evkit: store the request number, `sender.send()`,
//                       then Atomics.wait until the loop's Async callback
//                       has stored it as the reply (shared Int32 slots, the
//                       same as runner.mjs's W4_* constants)
//   mode 'postMessage'  Node: postMessage(i) to the main thread, which posts it
//                       straight back
//   mode 'senders'      W9: posts { ready: true }, waits until the main thread
//                       stores GO in `state`, then writes m single bytes to
//                       random fds of `fds` as fast as it can; reports
//                       { ok: true, full } (writes that found a full socket
//                       buffer and went to another fd instead)
//   mode 'messages'     M: posts { ready: true }, waits for GO in `shared`, sends n small
//                       messages { i } as fast as it can, then `lone` messages
//                       { j, t } one at a time (evkit with `batch` > 1: the
//                       burst goes out through sendBatch, `batch` at a time) (t: its send time, hrtime ns),
//                       each after the main thread acknowledged the previous
//                       one (ACK = j) and ~1 ms of quiet. Through `sender`
//                       (evkit AsyncMailbox; a full mailbox is retried) or,
//                       without one, parentPort.postMessage. Reports
//                       { ok: true, full } (sends that found the mailbox full)
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { AsyncSender } from '@evkit/async';

const now = () => performance.now();

const REQUEST = 0;
const REPLY = 1;
const FAILED = 2;
const GO = 1; // W9: slot 0 of `state` once the senders may start
// M: Int32 slots of `shared` (runner.mjs uses the same).
const M_GO = 1;
const M_ACK = 2;

function viaAsync({ n, shared, sender }) {
  const wake = AsyncSender.from(sender);
  const lat = new Float64Array(n);
  try {
    const t0 = now();
    for (let i = 1; i <= n; i++) {
      const t = now();
      Atomics.store(shared, REQUEST, i);
      if (!wake.send()) throw new Error(`send() #${i} did not reach the loop's Async watcher`);
      while (Atomics.load(shared, REPLY) !== i) Atomics.wait(shared, REPLY, i - 1);
      lat[i - 1] = now() - t;
    }
    const ms = now() - t0;
    parentPort.postMessage({ ok: true, ms, lat }, [lat.buffer]);
  } catch (error) {
    // Let a blocked loop.run() on the main thread return.
    Atomics.store(shared, FAILED, 1);
    wake.send();
    parentPort.postMessage({ ok: false, error: String(error?.stack ?? error) });
  }
}

function viaPostMessage({ n }) {
  const lat = new Float64Array(n);
  let i = 0;
  let t = 0;
  let t0 = 0;
  parentPort.on('message', () => {
    lat[i] = now() - t;
    if (++i < n) {
      t = now();
      parentPort.postMessage(i);
    } else {
      const ms = now() - t0;
      parentPort.postMessage({ ok: true, ms, lat }, [lat.buffer]);
      parentPort.close();
    }
  });
  t0 = now();
  t = t0;
  parentPort.postMessage(i);
}

// A write to a non-blocking socket whose buffer is full throws EAGAIN: false then.
function sendByte(fd, one) {
  try {
    writeSync(fd, one, 0, 1);
    return true;
  } catch (error) {
    if (error.code === 'EAGAIN') return false;
    throw error;
  }
}

function senders({ fds, m, state }) {
  parentPort.postMessage({ ready: true });
  while (Atomics.load(state, 0) !== GO) Atomics.wait(state, 0, 0);
  try {
    const one = Buffer.alloc(1);
    let full = 0;
    for (let sent = 0; sent < m; ) {
      if (sendByte(fds[Math.floor(Math.random() * fds.length)], one)) sent++;
      else full++;
    }
    parentPort.postMessage({ ok: true, full });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String(error?.stack ?? error) });
  }
}

function messages({ n, lone, shared, sender, batch = 1 }) {
  const mailbox = sender === undefined ? null : AsyncSender.from(sender);
  const quiet = new Int32Array(new SharedArrayBuffer(4));
  let full = 0;
  // evkit: retried while the mailbox is full (the back-pressure answer).
  const retrying = (post) => {
    for (;;) {
      try {
        if (!post()) throw new Error('the mailbox is gone');
        return;
      } catch (error) {
        if (error.code !== 'ERR_EVKIT_MAILBOX_FULL') throw error;
        full++;
        Atomics.wait(quiet, 0, 0, 0.05);
      }
    }
  };
  const send = (value) => (mailbox === null ? parentPort.postMessage(value) : retrying(() => mailbox.send(value)));
  const sendBatch = (values) => retrying(() => mailbox.sendBatch(values));
  parentPort.postMessage({ ready: true });
  Atomics.wait(shared, M_GO, 0);
  if (batch === 1) {
    for (let i = 0; i < n; i++) send({ i });
  } else {
    for (let i = 0; i < n; i += batch) {
      const values = [];
      for (let j = i; j < Math.min(n, i + batch); j++) values.push({ i: j });
      sendBatch(values);
    }
  }
  for (let j = 0; j < lone; j++) {
    // Wait on the value compared, not a second read: an ack landing between
    // two reads would leave this waiting for a change that never comes.
    for (let ack; (ack = Atomics.load(shared, M_ACK)) !== j; ) Atomics.wait(shared, M_ACK, ack);
    Atomics.wait(quiet, 0, 0, 1);
    send({ j, t: Number(process.hrtime.bigint()) });
  }
  parentPort.postMessage({ ok: true, full });
}

if (workerData.mode === 'async') viaAsync(workerData);
else if (workerData.mode === 'messages') messages(workerData);
else if (workerData.mode === 'postMessage') viaPostMessage(workerData);
else if (workerData.mode === 'senders') senders(workerData);
else parentPort.postMessage({ ok: false, error: `unknown mode ${workerData.mode}` });
