// Requests per second through the curl example (attached and blocking evkit
// loops) beside Node's own fetch and http client, against one HTTP server in a worker thread
// of this process, in one run. Usage: pnpm --filter @evkit/example-native-interop
// bench [-- --requests N --concurrency C --runs R]
import http from 'node:http';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

import { Loop } from '@evkit/loop';

import { CurlMulti } from './index.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '4000' },
    concurrency: { type: 'string', default: '64' },
    runs: { type: 'string', default: '5' },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const runs = Number(values.runs);

const server = new Worker(
  `const http = require('node:http');
   const { parentPort } = require('node:worker_threads');
   const s = http.createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1', () => parentPort.postMessage(s.address().port));
   parentPort.once('message', () => s.close(() => process.exit(0)));`,
  { eval: true },
);
const port = await new Promise<number>((resolve) => server.once('message', resolve));
const url = `http://127.0.0.1:${port}/`;

// `concurrency` chains of requests, each starting the next when one ends.
function chains(get: () => Promise<unknown>): Promise<unknown> {
  let left = requests;
  const chain = async (): Promise<void> => {
    while (left-- > 0) await get();
  };
  return Promise.all(Array.from({ length: concurrency }, chain));
}

async function nodeFetch(): Promise<number> {
  const started = performance.now();
  await chains(async () => (await fetch(url)).arrayBuffer());
  return performance.now() - started;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
function httpGet(): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        res.on('data', () => {});
        res.on('end', resolve);
      })
      .on('error', reject);
  });
}

async function nodeHttp(): Promise<number> {
  const started = performance.now();
  await chains(httpGet);
  return performance.now() - started;
}

async function curlAttached(): Promise<number> {
  const loop = new Loop().attach();
  const multi = new CurlMulti(loop);
  const started = performance.now();
  await chains(() => multi.fetch(url));
  const elapsed = performance.now() - started;
  multi.close();
  loop.destroy();
  return elapsed;
}

// A blocking run() holds this thread (promise reactions wait until it
// returns), so requests go in waves of `concurrency`, one run() each.
async function curlBlocking(): Promise<number> {
  const loop = new Loop();
  const multi = new CurlMulti(loop);
  const started = performance.now();
  for (let done = 0; done < requests; done += concurrency) {
    const wave = Array.from({ length: Math.min(concurrency, requests - done) }, () => multi.fetch(url));
    loop.run();
    await Promise.all(wave);
  }
  const elapsed = performance.now() - started;
  multi.close();
  loop.destroy();
  return elapsed;
}

const rows: Array<[string, () => Promise<number>]> = [
  ['node fetch', nodeFetch],
  ['node http.get (keep-alive agent)', nodeHttp],
  ['curl, attached evkit loop', curlAttached],
  ['curl, blocking evkit loop (waves)', curlBlocking],
];
const results = new Map<string, number[]>(rows.map(([name]) => [name, []]));
for (const [, measure] of rows) await measure(); // warm-up: connection pools, the JIT
for (let run = 0; run < runs; run++) {
  for (const [name, measure] of rows) results.get(name)!.push((requests / (await measure())) * 1000);
}
console.log(`${requests} requests, ${concurrency} in flight, ${runs} runs (requests/s: median, min-max)`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fetchRate = median(results.get('node fetch')!);
const httpRate = median(results.get('node http.get (keep-alive agent)')!);
for (const [name, xs] of results) {
  const m = median(xs);
  const range = `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;
  console.log(
    `${name.padEnd(36)} ${m.toFixed(0).padStart(7)}  ${range.padEnd(13)} ${(m / fetchRate).toFixed(2)}x fetch  ${(m / httpRate).toFixed(2)}x http.get`,
  );
}
agent.destroy();
server.postMessage('close');
