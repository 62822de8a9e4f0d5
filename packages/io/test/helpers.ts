// Test helpers: fd pairs Node knows nothing about, and the backends to cover.
import { closeSync, readSync, writeSync } from 'node:fs';
import { testing } from '@evkit/native-testing';
import { supportedBackends } from '@evkit/core-native';
import { Loop } from '@evkit/loop';

const open = new Set<number>();

/** A connected non-blocking AF_UNIX stream pair (test-only binding helper). */
export function socketpair(): [number, number] {
  const pair = testing.socketpair();
  for (const fd of pair) open.add(fd);
  return pair;
}

/** Closes fds a test made (once), ignoring ones the test closed itself. */
export function closeFds(...fds: number[]): void {
  for (const fd of fds) {
    if (!open.delete(fd)) continue;
    try {
      closeSync(fd);
    } catch {
      // closed by the test on purpose
    }
  }
}

/** Closes every fd made by socketpair() that is still open. */
export function closeAllFds(): void {
  closeFds(...open);
}

export function send(fd: number, text: string): void {
  writeSync(fd, text);
}

/** Reads what is there (the fd must be readable). */
export function receive(fd: number): string {
  const buffer = Buffer.alloc(4096);
  const n = readSync(fd, buffer);
  return buffer.toString('utf8', 0, n);
}

/** Fills the socket's send buffer until it is no longer writable. */
export function fill(fd: number): number {
  const chunk = Buffer.alloc(65536, 'x');
  let total = 0;
  for (;;) {
    try {
      total += writeSync(fd, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return total;
      throw error;
    }
  }
}

/** Empties a readable socket. */
export function drain(fd: number): number {
  const buffer = Buffer.alloc(65536);
  let total = 0;
  for (;;) {
    try {
      const n = readSync(fd, buffer);
      if (n === 0) return total;
      total += n;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return total;
      throw error;
    }
  }
}

/** The backends to run readiness tests on: select, poll, epoll, and io_uring where it works here. */
export const BACKENDS: string[] = (() => {
  const wanted = ['select', 'poll', 'epoll', 'linux_iouring'];
  const supported = new Set(supportedBackends());
  return wanted.filter((name) => {
    if (!supported.has(name)) return false;
    try {
      const loop = new Loop({ flags: name });
      const ok = loop.backend === name;
      loop.destroy();
      return ok;
    } catch {
      return false;
    }
  });
})();

export const IOURING_SKIP_REASON = BACKENDS.includes('linux_iouring')
  ? undefined
  : 'libev reports no usable io_uring backend on this kernel';
