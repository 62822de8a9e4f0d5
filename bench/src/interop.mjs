// Workload X: HTTP requests through an addon on evkit's C API (the libcurl
// example, examples/native-interop) on an attached and a blocking loop,
// beside Node's own fetch and http client: the same requests to one server
// in a worker thread of the same process, `concurrency` in flight.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { Loop } from '@evkit/loop';
import { CurlMulti } from '@evkit/example-native-interop';

const serverCode = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.once('message', () => server.close(() => process.exit(0)));`;

// `concurrency` chains of requests, each starting the next when one ends.
function chains(n, concurrency, get) {
  let left = n;
  const chain = async () => {
    while (left-- > 0) await get();
  };
  return Promise.all(Array.from({ length: concurrency }, chain));
}

const systems = {
  'node-fetch': (url) => ({
    run: (n, concurrency) => chains(n, concurrency, async () => (await fetch(url)).arrayBuffer()),
    close() {},
  }),
  'node-http': (url, concurrency) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const get = () =>
      new Promise((resolve, reject) => {
        http
          .get(url, { agent }, (res) => {
            res.on('data', () => {});
            res.on('end', resolve);
          })
          .on('error', reject);
      });
    return { run: (n) => chains(n, concurrency, get), close: () => agent.destroy() };
  },
  'curl-attached': (url) => {
    const loop = new Loop().attach();
    const multi = new CurlMulti(loop);
    return {
      run: (n, concurrency) => chains(n, concurrency, () => multi.fetch(url)),
      close() {
        multi.close();
        loop.destroy();
      },
    };
  },
  // A blocking run() holds the thread (promise reactions wait until it
  // returns): requests go in waves of `concurrency`, one run() each.
  'curl-blocking': (url) => {
    const loop = new Loop();
    const multi = new CurlMulti(loop);
    return {
      async run(n, concurrency) {
        for (let done = 0; done < n; done += concurrency) {
          const wave = Array.from({ length: Math.min(concurrency, n - done) }, () => multi.fetch(url));
          loop.run();
          await Promise.all(wave);
        }
      },
      close() {
        multi.close();
        loop.destroy();
      },
    };
  },
};

export async function runX(system, { n, concurrency }) {
  const make = systems[system];
  if (make === undefined) throw new Error(`unknown system ${system}`);
  const server = new Worker(serverCode, { eval: true });
  const port = await new Promise((resolve, reject) => {
    server.once('message', resolve);
    server.once('error', reject);
  });
  const client = make(`http://127.0.0.1:${port}/`, concurrency);
  await client.run(Math.max(concurrency, Math.floor(n / 10)), concurrency); // warm-up: connections, the JIT
  const t0 = performance.now();
  await client.run(n, concurrency);
  const ms = performance.now() - t0;
  client.close();
  server.postMessage('close');
  await new Promise((resolve) => server.once('exit', resolve));
  return { metrics: { rate: n / (ms / 1000), ms }, info: { n, concurrency } };
}
