// A local HTTP server for the tests: in this thread (for attached loops, which
// leave Node's loop free), or in a worker thread of this process (for a
// blocking loop.run(), which holds this thread).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';

const serverCode = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
const server = http.createServer((req, res) => {
  if (req.url === '/hang') return;
  res.setHeader('content-type', 'text/plain');
  res.end('body of ' + req.url);
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => server.close(() => process.exit(0)));
`;

export interface TestServer {
  base: string;
  close(): Promise<void>;
}

export interface ServerHere extends TestServer {
  /** Settles once `count` requests for /hang (never answered) have arrived. */
  hanging(count: number): Promise<void>;
}

export async function serverHere(): Promise<ServerHere> {
  let hung = 0;
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  const server = http.createServer((req, res) => {
    if (req.url === '/hang') {
      hung++;
      for (const w of waiting.filter((w) => w.count <= hung)) w.resolve();
      return;
    }
    res.end(`body of ${req.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hanging: (count) => (hung >= count ? Promise.resolve() : new Promise((resolve) => waiting.push({ count, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function serverInWorker(): Promise<TestServer> {
  const worker = new Worker(serverCode, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    base: `http://127.0.0.1:${port}`,
    close: async () => {
      worker.postMessage('close');
      await worker.terminate();
    },
  };
}

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
