// The seed's programs in evkit form.
//
// 1. Blocking: one loop.run() shows libev's phases — prepare, the runCallback
//    queue, check, then a timer and an idle watcher; then loop.reinit() (what
//    a forked child calls) runs a fork watcher.
// 2. Attached: "a timer after 2 s, repeating every 3 s, printing the time",
//    on Loop.default, which Node's event loop drives: a Node setTimeout, an
//    awaited evkit sleep(), an io echo on a socket Node accepted, a signal
//    watcher, a worker thread that wakes the loop and a stat watcher on a log
//    file run beside it. The demo ends after three ticks.
import { appendFileSync, mkdtempSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Async } from '@evkit/async';
import { Loop } from '@evkit/loop';
import { Fork } from '@evkit/fork';
import { readable, writable } from '@evkit/io';
import { Check, Idle, Prepare } from '@evkit/prepare-check';
import { Signal } from '@evkit/signal';
import { Stat } from '@evkit/stat';
import { Timer, sleep } from '@evkit/timer';

const clock = () => new Date().toISOString().slice(11, 23);

function phases(): void {
  const loop = new Loop();
  const order: string[] = [];
  const once = (name: string) =>
    function (this: { stop(): void }) {
      order.push(name);
      this.stop();
    };
  new Prepare(loop).start(once('prepare'));
  loop.runCallback(() => order.push('runCallback'));
  new Check(loop).start(once('check'));
  new Timer(loop, 0).start(() => order.push('timer'));
  new Idle(loop).start(once('idle'));
  loop.run();
  console.log(`[blocking] one run() on ${loop.backend}: ${order.join(' → ')}`);
  new Fork(loop).start(function () {
    console.log('[blocking] reinit() → the fork watcher ran on the next iteration');
    this.stop();
  });
  loop.run({ nowait: true }); // no reinit yet: the fork watcher stays quiet
  loop.reinit();
  loop.run();
  loop.destroy();
}

async function attachedTimer(): Promise<void> {
  const loop = Loop.default;
  console.log(`[attached] ${clock()} timer: first tick in 2 s, then every 3 s (3 ticks)`);
  let ticks = 0;
  const timer = new Timer(loop, 2, 3).start(() => {
    ticks++;
    console.log(`[attached] ${clock()} tick ${ticks}`);
    if (ticks === 3) timer.stop();
  });
  setTimeout(() => console.log(`[node]     ${clock()} a Node setTimeout(1000) fired beside the evkit timer`), 1000);
  signalWatcher(loop);
  workerWakesLoop(loop);
  const cleanupLog = logFileWatcher(loop);
  const echo = ioEcho();
  await sleep(1.5);
  console.log(`[attached] ${clock()} await sleep(1.5) resolved`);
  await loop.runAsync(); // resolves when nothing keeps the loop alive: after tick 3
  cleanupLog();
  await echo;
  console.log(`[attached] ${clock()} done: runAsync() resolved after ${ticks} ticks`);
}

// Node's own SIGUSR2 listener and an evkit watcher both see the signal.
function signalWatcher(loop: Loop): void {
  process.once('SIGUSR2', () => console.log(`[node]     ${clock()} process.on('SIGUSR2') fired too`));
  const signal = new Signal(loop, 'SIGUSR2').start(function () {
    console.log(`[attached] ${clock()} Signal watcher: ${this.signal}`);
    this.stop();
  });
  setTimeout(() => process.kill(process.pid, signal.signal), 500);
}

// gevent's thread-pool pattern: a worker computes, then wakes the loop.
function workerWakesLoop(loop: Loop): void {
  const result = new Float64Array(new SharedArrayBuffer(8));
  const done = new Async(loop).start(function () {
    console.log(`[attached] ${clock()} a worker thread woke the loop: fib(70) = ${result[0]}`);
    this.stop();
  });
  new Worker(new URL('./wake-worker.js', import.meta.url), { workerData: { wake: done.sender(), n: 70, result } });
}

// The seed's "touch a log file": a Stat watcher sees each append (inotify).
function logFileWatcher(loop: Loop): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'evkit-demo-'));
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  let appends = 0;
  const stat = new Stat(loop, log).start(function () {
    console.log(`[attached] ${clock()} Stat: ${log} is now ${this.attr?.size} bytes`);
    if (++appends === 2) this.stop();
  });
  setTimeout(() => appendFileSync(log, 'first line\n'), 700);
  setTimeout(() => appendFileSync(log, 'second line\n'), 1200);
  return () => {
    stat.close();
    rmSync(dir, { recursive: true, force: true });
  };
}

// Io beside Node's sockets: Node accepts a connection (paused, so Node never
// reads it) and evkit serves it on Loop.default with readiness promises.
async function ioEcho(): Promise<void> {
  const server = net.createServer({ pauseOnConnect: true }, async (socket) => {
    const fd = (socket as unknown as { _handle: { fd: number } })._handle.fd;
    const buffer = Buffer.alloc(1024);
    await readable(fd);
    const n = readSync(fd, buffer);
    await writable(fd);
    writeSync(fd, buffer.toString('utf8', 0, n).toUpperCase());
    console.log(`[attached] ${clock()} Io: echoed ${n} bytes on fd ${fd}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => {
    const client = net.connect(port, '127.0.0.1', () => client.write('hello from a Node socket'));
    client.once('data', (reply) => {
      console.log(`[node]     ${clock()} the Node client got back "${reply}"`);
      client.destroy();
      server.close();
      resolve();
    });
  });
}

phases();
await attachedTimer();
