import { Worker } from 'node:worker_threads';

import { Loop } from '@evkit/loop';
import { afterEach, describe, expect, it } from 'vitest';

import { CurlMulti } from '../src/index.js';
import { closedPort, serverHere, serverInWorker, type TestServer } from './server.js';

const COUNT = 300;
const paths = Array.from({ length: COUNT }, (_, i) => `/r${i}`);

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('libcurl multi on an attached loop', () => {
  it(`completes ${COUNT} concurrent requests and lets the loop go idle`, async () => {
    server = await serverHere();
    const loop = new Loop().attach();
    const multi = new CurlMulti(loop);
    const pending = paths.map((path) => multi.fetch(server!.base + path));
    expect(multi.pending).toBe(COUNT);
    expect(loop.refCount).toBe(1); // one hold while anything is in flight
    const responses = await Promise.all(pending);
    expect(responses.map((r) => r.status)).toEqual(paths.map(() => 200));
    expect(responses.map((r) => r.body.toString())).toEqual(paths.map((path) => `body of ${path}`));
    expect(multi.pending).toBe(0);
    expect(loop.refCount).toBe(0);
    multi.close();
    loop.destroy();
  });

  it('rejects a refused connection with curl\'s message', async () => {
    const port = await closedPort();
    const loop = new Loop().attach();
    const multi = new CurlMulti(loop);
    await expect(multi.fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow(/connect|refused/i);
    expect(loop.refCount).toBe(0);
    loop.destroy();
  });

  it('close() rejects what is in flight; fetch() after it throws', async () => {
    const here = await serverHere();
    server = here;
    const loop = new Loop().attach();
    const multi = new CurlMulti(loop);
    const hanging = multi.fetch(`${here.base}/hang`);
    const settled = hanging.catch((error: Error) => error.message);
    await here.hanging(1); // curl connected and sent: its socket watcher is active
    multi.close();
    expect(await settled).toBe('the multi handle was closed');
    expect(loop.refCount).toBe(0);
    expect(() => multi.fetch(`${server!.base}/x`)).toThrow('the multi handle is closed');
    loop.destroy();
  });

  it('destroy() with watchers active settles every request and never crashes', async () => {
    const here = await serverHere();
    server = here;
    const loop = new Loop().attach();
    const multi = new CurlMulti(loop);
    const hanging = [multi.fetch(`${here.base}/hang`), multi.fetch(`${here.base}/hang`)];
    const settled = Promise.allSettled(hanging);
    await here.hanging(2);
    loop.destroy(); // evkit stops curl's io and timer watchers; the addon's cleanup watcher ends the transfers
    const results = await settled;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('the evkit loop was destroyed');
    expect(multi.pending).toBe(0);
    expect(() => multi.fetch(`${server!.base}/x`)).toThrow('its evkit loop was destroyed');
    multi.close(); // after the loop: only marks its watchers stopped
  });
});

describe('libcurl multi on a blocking loop', () => {
  it(`run() returns once ${COUNT} concurrent requests are done`, async () => {
    server = await serverInWorker();
    const loop = new Loop();
    const multi = new CurlMulti(loop);
    const pending = paths.map((path) => multi.fetch(server!.base + path));
    expect(loop.run()).toBe(false);
    expect(multi.pending).toBe(0);
    const responses = await Promise.all(pending);
    expect(responses.map((r) => r.body.toString())).toEqual(paths.map((path) => `body of ${path}`));
    multi.close();
    loop.destroy();
  });

  it('a refused connection rejects and run() returns', async () => {
    const port = await closedPort();
    const loop = new Loop();
    const multi = new CurlMulti(loop);
    const failed = multi.fetch(`http://127.0.0.1:${port}/`).catch((error: Error) => error.message);
    expect(loop.run()).toBe(false);
    expect(await failed).toMatch(/connect|refused/i);
    loop.destroy();
  });
});

describe('libcurl multi across detach()', () => {
  it('transfers started attached finish in a blocking run() after detach()', async () => {
    server = await serverInWorker();
    const loop = new Loop().attach();
    const multi = new CurlMulti(loop);
    const pending = paths.slice(0, 50).map((path) => multi.fetch(server!.base + path));
    loop.detach();
    expect(loop.run()).toBe(false);
    const bodies = (await Promise.all(pending)).map((r) => r.body.toString());
    expect(bodies).toEqual(paths.slice(0, 50).map((path) => `body of ${path}`));
    multi.close();
    loop.destroy();
  });

  it('and after attach() again', async () => {
    server = await serverInWorker();
    const loop = new Loop().attach();
    const multi = new CurlMulti(loop);
    const pending = paths.slice(0, 50).map((path) => multi.fetch(server!.base + path));
    loop.detach();
    loop.attach();
    expect((await Promise.all(pending)).length).toBe(50);
    expect(loop.refCount).toBe(0);
    multi.close();
    loop.destroy();
  });
});

describe('naming a loop', () => {
  it('refuses what is not a live evkit loop of this thread', () => {
    const loop = new Loop();
    const ptr = loop.ptr;
    loop.destroy();
    expect(() => new CurlMulti({ ptr } as Loop)).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
    );
    expect(() => new CurlMulti({ ptr: 12345n } as Loop)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => new CurlMulti({ ptr: 'x' } as unknown as Loop)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });

  it("refuses another thread's loop", async () => {
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       import(${JSON.stringify(new URL('../../../packages/loop/dist/index.js', import.meta.url).href)}).then(({ Loop }) => {
         const loop = new Loop();
         parentPort.postMessage(loop.ptr);
         parentPort.once('message', () => { loop.destroy(); process.exit(0); });
       });`,
      { eval: true },
    );
    const ptr = await new Promise<bigint>((resolve) => worker.once('message', resolve));
    expect(() => new CurlMulti({ ptr } as Loop)).toThrow(expect.objectContaining({ code: 'EVKIT_WRONG_THREAD' }));
    worker.postMessage('done');
    await new Promise((resolve) => worker.once('exit', resolve));
  });
});
