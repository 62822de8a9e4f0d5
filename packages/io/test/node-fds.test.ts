// The fds Node gives: character devices from fs.openSync, and the fds of
// net.Socket / net.Server handles (`socket._handle.fd`), with Node kept from
// reading them (pauseOnConnect / pause() before connect).
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Loop, READ, READWRITE, WRITE } from '@evkit/loop';
import { Io, readable, writable } from '@evkit/io';

const dir = mkdtempSync(join(tmpdir(), 'evkit-io-net-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function handleFd(handle: unknown): number {
  const fd = (handle as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('no fd on this handle');
  return fd;
}

/** A connected unix-domain pair whose sockets Node does not read. */
async function netPair(): Promise<{ server: net.Server; client: net.Socket; accepted: net.Socket }> {
  const path = join(dir, `s${Math.random().toString(36).slice(2)}.sock`);
  const server = net.createServer({ pauseOnConnect: true });
  const acceptedP = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const client = net.connect(path);
  client.pause();
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  return { server, client, accepted: await acceptedP };
}

describe('fds from Node', () => {
  it('character devices from fs.openSync: /dev/null is writable, /dev/zero readable', async () => {
    const loop = new Loop();
    const devnull = openSync('/dev/null', 'w');
    const devzero = openSync('/dev/zero', 'r');
    try {
      const seen: number[] = [];
      new Io(loop, devnull, WRITE, { passEvents: true }).start(function (this: Io, revents: number) {
        seen.push(revents);
        this.stop();
      });
      new Io(loop, devzero, READ, { passEvents: true }).start(function (this: Io, revents: number) {
        const buffer = Buffer.alloc(4);
        expect(readSync(devzero, buffer)).toBe(4);
        seen.push(revents);
        this.stop();
      });
      loop.run();
      expect(seen.sort()).toEqual([READ, WRITE]);
    } finally {
      closeSync(devnull);
      closeSync(devzero);
      loop.destroy();
    }
  });

  it('net.Socket handle fds: an evkit echo between a client and an accepted socket', async () => {
    const { server, client, accepted } = await netPair();
    const loop = Loop.default;
    const cfd = handleFd(client);
    const sfd = handleFd(accepted);
    try {
      const echoed = new Promise<string>((resolve) => {
        // server side: echo what arrives, upper-cased
        new Io(loop, sfd, READ).start(function (this: Io) {
          const buffer = Buffer.alloc(64);
          const n = readSync(sfd, buffer);
          writeSync(sfd, buffer.toString('utf8', 0, n).toUpperCase());
          this.stop();
        });
        new Io(loop, cfd, READ).start(function (this: Io) {
          const buffer = Buffer.alloc(64);
          const n = readSync(cfd, buffer);
          this.stop();
          resolve(buffer.toString('utf8', 0, n));
        });
      });
      await writable(cfd);
      writeSync(cfd, 'over node sockets');
      expect(await echoed).toBe('OVER NODE SOCKETS');
      expect(loop.refCount).toBe(0);
    } finally {
      client.destroy();
      accepted.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('net.Server handle fd: readable when a connection waits (Node accepts it then)', async () => {
    const path = join(dir, 'listen.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    const fd = handleFd(server);
    const loop = new Loop();
    try {
      // A blocking loop: Node's own loop does not run (and accept) meanwhile.
      let revents = 0;
      const io = new Io(loop, fd, READWRITE, { passEvents: true }).start(function (this: Io, r: number) {
        revents = r;
        this.stop();
      });
      // libuv connects a unix socket synchronously: the connection waits in
      // the backlog now, and Node cannot accept it while run() blocks.
      const client = net.connect(path);
      loop.run();
      expect(revents & READ).toBe(READ);
      expect(io.active).toBe(false);
      client.destroy();
    } finally {
      loop.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('readable() on a paused net.Socket fd', async () => {
    const { server, client, accepted } = await netPair();
    try {
      const fd = handleFd(client);
      const pending = readable(fd);
      accepted.write('ping');
      await pending;
      const buffer = Buffer.alloc(8);
      expect(buffer.toString('utf8', 0, readSync(fd, buffer))).toBe('ping');
    } finally {
      client.destroy();
      accepted.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
