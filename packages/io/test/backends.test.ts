// Readiness on every backend (select, poll, epoll, and io_uring where the
// kernel has it), blocking and attached: socket pairs, FIFOs, regular files,
// closingFd. Closing watched fds without stop() is covered in child processes
// (closed-fd.test.ts).
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readdirSync, readlinkSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ERROR, Loop, READ, READWRITE, WRITE } from '@evkit/loop';
import { Io, closingFd, readable, writable } from '@evkit/io';
import { useLoops } from '@evkit/test-utils';
import { BACKENDS, IOURING_SKIP_REASON, closeAllFds, closeFds, drain, fill, receive, send, socketpair } from './helpers.js';

const ALL = ['select', 'poll', 'epoll', 'linux_iouring'];
const dir = mkdtempSync(join(tmpdir(), 'evkit-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Every loop is destroyed after its test, and checked clean if the test passed.
const track = useLoops();
afterEach(() => closeAllFds());

function loopOf(backend: string, attached: boolean): Loop {
  const loop = track(new Loop({ flags: backend }));
  expect(loop.backend).toBe(backend);
  return attached ? loop.attach() : loop;
}

/** Runs the loop until `done` settles: run() when blocking, Node's loop when attached. */
async function until<T>(loop: Loop, done: Promise<T>): Promise<T> {
  if (!loop.attached) loop.run();
  return await done;
}

let fifoCount = 0;
/** A FIFO opened through fs.openSync, non-blocking at both ends: [readFd, writeFd]. */
function fifo(): [number, number] {
  const path = join(dir, `fifo${fifoCount++}`);
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
  const r = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const w = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  return [r, w];
}

for (const backend of ALL) {
  const available = BACKENDS.includes(backend);
  const reason = backend === 'linux_iouring' ? IOURING_SKIP_REASON : `${backend} is not usable here`;
  describe.skipIf(!available)(`${backend}${available ? '' : ` (skipped: ${reason})`}`, () => {
    for (const attached of [false, true]) {
      const mode = attached ? 'attached' : 'blocking';

      it(`${mode}: read readiness on a socket pair, both directions`, async () => {
        const loop = loopOf(backend, attached);
        const [a, b] = socketpair();
        const got: string[] = [];
        const done = new Promise<void>((resolve) => {
          new Io(loop, a, READ).start(function (this: Io) {
            const text = receive(a);
            got.push(`a:${text}`);
            send(a, text.toUpperCase());
            this.stop();
          });
          new Io(loop, b, 'r').start(function (this: Io) {
            got.push(`b:${receive(b)}`);
            this.stop();
            resolve();
          });
        });
        send(b, 'ping');
        await until(loop, done);
        expect(got).toEqual(['a:ping', 'b:PING']);
      });

      it(`${mode}: read readiness on a FIFO from fs.openSync`, async () => {
        const loop = loopOf(backend, attached);
        const [r, w] = fifo();
        try {
          const done = new Promise<string>((resolve) => {
            new Io(loop, r, READ).start(function (this: Io) {
              this.stop();
              resolve(receive(r));
            });
          });
          writeSync(w, 'through the fifo');
          expect(await until(loop, done)).toBe('through the fifo');
        } finally {
          closeSync(r);
          closeSync(w);
        }
      });

      it(`${mode}: write readiness comes back when the peer drains`, async () => {
        const loop = loopOf(backend, attached);
        const [a, b] = socketpair();
        fill(a);
        let drained = 0;
        const done = new Promise<number>((resolve) => {
          new Io(loop, a, WRITE, { passEvents: true }).start(function (this: Io, revents: number) {
            this.stop();
            resolve(revents);
          });
        });
        // not writable now: nothing may fire before the drain
        const early = new Io(loop, a, WRITE).start(function (this: Io) {
          if (drained === 0) throw new Error('fired while the buffer was full');
          this.stop();
        });
        const drainer = new Io(loop, b, READ).start(function (this: Io) {
          drained += drain(b);
          if (drained > 0) this.stop();
        });
        expect(await until(loop, done)).toBe(WRITE);
        expect(drained).toBeGreaterThan(0);
        early.stop();
        drainer.stop();
      });

      it(`${mode}: closingFd stops the watchers and calls them once with ERROR`, async () => {
        const loop = loopOf(backend, attached);
        const [a, b] = socketpair();
        const seen: unknown[] = [];
        loop.errorHandler = (error) => seen.push(error);
        const done = new Promise<void>((resolve) => {
          new Io(loop, a, READWRITE, { passEvents: true }).start(function (this: Io, revents: number) {
            seen.push([revents, this.active]);
            resolve();
          });
        });
        const waiting = readable(a, { loop });
        expect(closingFd(loop, a)).toBe(true);
        closeFds(a);
        await expect(until(loop, waiting)).rejects.toMatchObject({ name: 'EvError', code: 'EBADF' });
        await until(loop, done);
        expect(seen).toEqual([[(ERROR | READWRITE) >>> 0, false]]);
        closeFds(b);
      });

      it(`${mode}: a regular file is always ready`, async () => {
        const loop = loopOf(backend, attached);
        const fd = openSync(new URL(import.meta.url), 'r');
        try {
          let n = 0;
          const done = new Promise<void>((resolve) => {
            new Io(loop, fd, READWRITE, { passEvents: true }).start(function (this: Io, revents: number) {
              expect(revents).toBe(READWRITE);
              if (++n === 3) {
                this.stop();
                resolve();
              }
            });
          });
          await until(loop, done);
          expect(n).toBe(3);
        } finally {
          closeSync(fd);
        }
      });

      it(`${mode}: readable() and writable() on this loop`, async () => {
        const loop = loopOf(backend, attached);
        const [a, b] = socketpair();
        const w = writable(a, { loop });
        await until(loop, w);
        const r = readable(a, { loop });
        send(b, 'x');
        await until(loop, r);
        expect(receive(a)).toBe('x');
      });
    }

    it('an epoll instance: refused on epoll loops (libev would abort on its own), watchable elsewhere', () => {
      const loop = loopOf(backend, false);
      const other = new Loop({ flags: 'epoll' });
      try {
        const [a] = socketpair();
        const epfd = findEpollFd();
        const io = new Io(loop, epfd, READ);
        if (backend === 'epoll') {
          expect(() => io.start(() => {})).toThrow(expect.objectContaining({ name: 'EvError', code: 'EINVAL' }));
          expect(() => io.start(() => {})).toThrow(/epoll instance/);
          expect(io.active).toBe(false);
        } else {
          io.start(() => {});
          expect(io.active).toBe(true);
          loop.run({ nowait: true });
          io.stop();
        }
        closeFds(a);
      } finally {
        other.destroy();
      }
    });
  });
}

/** Some epoll instance open in this process (Node's own, or a loop's). */
function findEpollFd(): number {
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${name}`) === 'anon_inode:[eventpoll]') return Number(name);
    } catch {
      // closed meanwhile (readdir's own fd)
    }
  }
  throw new Error('no epoll fd found');
}
