// libev reports failing system calls through the process-global syserr hook;
// evkit turns them into an EvError on the error path of the loop that was
// running, and breaks that loop so a broken backend cannot spin.
import { closeSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EvError, Loop, type ErrorContext } from '@evkit/loop';
import { TestIdle } from './helpers.js';
import { runFixture, useProcessTimeout } from '@evkit/test-utils';

useProcessTimeout(); // child processes or workers: see PROCESS_TEST_TIMEOUT_MS

function epollFds(): Set<number> {
  const fds = new Set<number>();
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${name}`).includes('eventpoll')) fds.add(Number(name));
    } catch {
      // raced with a close
    }
  }
  return fds;
}

/** A loop whose epoll fd was swapped for /dev/null behind libev's back. */
function brokenEpollLoop(): Loop {
  const before = epollFds();
  const loop = new Loop({ flags: 'epoll' });
  const fd = [...epollFds()].find((candidate) => !before.has(candidate));
  if (fd === undefined) throw new Error('no epoll fd found');
  // Let libev register its own fds first: an epoll_ctl on a bad epoll fd is an
  // assert in libev, epoll_wait failing is the syserr path under test.
  loop.run({ nowait: true });
  closeSync(fd);
  // Take the number back at once so nothing else of this process reuses it;
  // libev closes it when the loop is destroyed.
  expect(openSync('/dev/null', 'r')).toBe(fd);
  return loop;
}

describe.runIf(process.platform === 'linux')('libev system errors', () => {
  it('surface from run() as an EvError and break the loop', () => {
    const loop = brokenEpollLoop();
    const idle = new TestIdle(loop).start(() => {});
    let caught: unknown;
    try {
      loop.run();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EvError);
    const error = caught as EvError;
    expect(error.code).toBe('ERR_EVKIT_SYSERR');
    expect(error.message).toMatch(/^\(libev\) epoll_wait: E[A-Z]+/);
    expect(error.syscall).toBe('epoll_wait');
    expect(error.errno).toBeGreaterThan(0);
    expect(idle.active).toBe(true);
    loop.destroy();
  });

  it('go to errorHandler with a null context when one is set', () => {
    const loop = brokenEpollLoop();
    const seen: Array<[unknown, ErrorContext]> = [];
    loop.errorHandler = (error, context) => seen.push([error, context]);
    new TestIdle(loop).start(() => {});
    expect(loop.run()).toBe(true);
    expect(seen.length).toBe(1);
    expect(seen[0]![0]).toBeInstanceOf(EvError);
    expect(seen[0]![1]).toBe(null);
    loop.destroy();
  });
});

describe('running out of file descriptors', () => {
  it('makes new Loop() throw an EvError instead of hanging libev', () => {
    const fixture = new URL('./fixtures/fd-exhaustion.mjs', import.meta.url);
    const result = runFixture(fixture, { nofile: 64, timeoutMs: 60_000 }); // a hang guard (normally 1-3 s)
    expect(result.status, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.first).toMatch(/^EvError ERR_EVKIT_LOOP_NEW .*EMFILE: too many open files/);
    expect(out.oneFree.epoll).toMatch(/^EvError ERR_EVKIT_LOOP_NEW .*EMFILE: too many open files/);
    expect(out.oneFree.poll).toBe('created');
    expect(out.oneFree.select).toBe('created');
    expect(out.second).toMatch(/^(epoll|poll|select|linux_iouring)$/);
  });
});

describe.runIf(process.platform === 'linux')('libev system errors on an attached loop', () => {
  it('go to the errorHandler, and the loop is left detached and usable', async () => {
    const loop = brokenEpollLoop();
    const seen: Array<[unknown, ErrorContext]> = [];
    const reported = new Promise<void>((resolve) => {
      loop.errorHandler = (error, context) => {
        seen.push([error, context]);
        resolve();
      };
    });
    const idle = new TestIdle(loop).unref().start(() => {});
    loop.attach();
    await reported;
    expect(seen.length).toBe(1);
    const [error, context] = seen[0]!;
    expect(error).toBeInstanceOf(EvError);
    expect((error as EvError).code).toBe('ERR_EVKIT_SYSERR');
    expect((error as EvError).syscall).toBe('epoll_wait');
    expect(context).toBe(null);
    expect(loop.attached).toBe(false);
    expect(idle.active).toBe(true);
    loop.destroy();
  });
});

describe('foreign loops', () => {
  it('attach() on a loop wrapped from a foreign pointer throws an EvError', async () => {
    const { testing } = await import('@evkit/native-testing');
    const raw = testing.rawLoopNew();
    const foreign = new Loop({ ptr: raw, unsafeForeignPointer: true });
    expect(() => foreign.attach()).toThrow(expect.objectContaining({ name: 'EvError', code: 'ERR_EVKIT_ATTACH' }));
    expect(() => foreign.runAsync()).toThrow(EvError);
    foreign.destroy();
    testing.rawLoopDestroy(raw);
  });

  it('the raw-loop test helpers refuse addresses they did not make', async () => {
    const { testing } = await import('@evkit/native-testing');
    expect(() => testing.rawLoopDestroy(8n)).toThrow(RangeError);
    expect(() => testing.rawLoopRunNowait(8n)).toThrow(RangeError);
    const raw = testing.rawLoopNew();
    testing.rawLoopDestroy(raw);
    expect(() => testing.rawLoopDestroy(raw)).toThrow(RangeError);
  });
});

describe('views', () => {
  it('a view of Loop.default reports what the loop is', () => {
    const view = new Loop({ ptr: Loop.default.ptr });
    expect(view.isDefault).toBe(true);
    expect(view.attached).toBe(true);
    expect(view.backend).toBe(Loop.default.backend);
    view.destroy();
    expect(Loop.default.destroyed).toBe(false);
  });
});

