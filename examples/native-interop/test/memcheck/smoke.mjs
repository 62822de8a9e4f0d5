// Exercises evkit's C API once for the memory checkers (scripts/memcheck.sh,
// scripts/asan.sh): the curl example on an attached and a blocking loop,
// close() and destroy() with transfers in flight, a collected multi handle,
// and every probe of the test-only addon. Exits non-zero when a request
// does not come back as expected.
import http from 'node:http';
import { setImmediate as tick } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { nativeApi } from '@evkit/core-native';
import { Loop } from '@evkit/loop';
import { testing } from '@evkit/native-testing';
import { CurlMulti } from '../../dist/index.js';

function check(ok, what) {
  if (!ok) throw new Error(`memcheck smoke: ${what}`);
}

const server = http.createServer((req, res) => (req.url === '/hang' ? undefined : res.end(`body of ${req.url}`)));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

// Attached: requests, then close() and destroy() with transfers in flight.
{
  const loop = new Loop().attach();
  const multi = new CurlMulti(loop);
  const bodies = await Promise.all([1, 2, 3, 4].map((i) => multi.fetch(`${base}/${i}`).then((r) => r.body.toString())));
  check(bodies.join() === 'body of /1,body of /2,body of /3,body of /4', 'attached bodies');
  const closed = multi.fetch(`${base}/hang`).catch((e) => e.message);
  await new Promise((resolve) => server.once('request', resolve));
  multi.close();
  check((await closed) === 'the multi handle was closed', 'close()');
  const other = new CurlMulti(loop);
  const destroyed = other.fetch(`${base}/hang`).catch((e) => e.message);
  await new Promise((resolve) => server.once('request', resolve));
  loop.destroy();
  check((await destroyed) === 'the evkit loop was destroyed', 'destroy()');
}

// Blocking, with the server in a worker; then a multi left to the GC.
{
  const worker = new Worker(
    `const http = require('node:http'); const { parentPort } = require('node:worker_threads');
     const s = http.createServer((q, r) => r.end('w' + q.url)).listen(0, '127.0.0.1', () => parentPort.postMessage(s.address().port));
     parentPort.once('message', () => s.close(() => process.exit(0)));`,
    { eval: true },
  );
  const port = await new Promise((resolve) => worker.once('message', resolve));
  const loop = new Loop();
  let multi = new CurlMulti(loop);
  const pending = [1, 2].map((i) => multi.fetch(`http://127.0.0.1:${port}/${i}`));
  loop.run();
  check((await Promise.all(pending)).map((r) => r.body.toString()).join() === 'w/1,w/2', 'blocking bodies');
  multi = null;
  for (let i = 0; i < 4; i++) {
    globalThis.gc?.();
    await tick();
  }
  loop.destroy();
  worker.postMessage('close');
  await new Promise((resolve) => worker.once('exit', resolve));
}

// The C API's refusals and a destroy with watchers left active.
for (const attached of [false, true]) {
  const loop = attached ? new Loop().attach() : new Loop();
  const other = new Loop();
  const probe = testing.apiProbe(nativeApi, loop.ptr, other.ptr);
  check(probe.ioClosedFd === -9 && probe.otherThread === -1, 'apiProbe');
  check(testing.apiLeave(nativeApi, loop.ptr) === 0, 'apiLeave');
  const ptr = loop.ptr;
  loop.destroy();
  other.destroy();
  check(testing.apiAfterDestroy(nativeApi, ptr).stops === 0, 'apiAfterDestroy');
}

server.close();
console.log('memcheck smoke ok');
