// Signal at the process level. Signals are process-global, so every scenario
// runs in its own child process (fixtures/*.mjs, importing the built packages)
// and reports one JSON line. Invariants:
// - Node's process.on(sig) listeners and evkit watchers both fire, whichever
//   was registered first; stopping the watcher leaves Node's handling intact;
// - once the last watcher of a signal is gone (stop, close, loop destroy,
//   worker exit) its sigaction is the one it had before evkit took it;
// - any number of loops, in any threads, watch one signal without an abort;
// - a signal wakes a blocking run() and an attached loop (nothing else would:
//   the loop has no other watcher, so a missed wake-up hangs the fixture).
//
// Wall-clock bounds here are hang guards, far below what a missed wake-up
// costs and far above what a loaded machine needs; the order of events and the
// counts are what is checked.
const HANG_GUARD_MS = 5000;
import { describe, expect, it } from 'vitest';
import { runFixture, useProcessTimeout } from '@evkit/test-utils';

useProcessTimeout(); // child processes or workers: see PROCESS_TEST_TIMEOUT_MS

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

function run(name: string, args: string[] = [], execArgv: string[] = []) {
  const result = runFixture(fixture(name), { args, execArgv });
  const lines = result.stdout.trim().split('\n').filter(Boolean);
  const json = lines.flatMap((line) => {
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });
  return { ...result, json, out: json[0] };
}

function expectClean(r: ReturnType<typeof run>) {
  expect(r.stderr).toBe('');
  expect(r.signal).toBe(null);
  expect(r.status).toBe(0);
}

describe('coexistence with process.on(signal)', () => {
  for (const mode of ['attached', 'blocking']) {
    for (const order of ['node-first', 'watcher-first']) {
      it(`${mode}, ${order}: both fire; after stop a second signal reaches Node and is survived`, () => {
        const r = run('coexist.mjs', [mode, order]);
        expectClean(r);
        expect(r.out.before).toBe('SIG_DFL');
        expect(r.out.whileActive).toBe(true);
        expect(r.out.first).toEqual({ node: 1, watcher: 1 });
        if (mode === 'blocking') {
          // Node's listener runs once run() has returned.
          expect(r.out.inRun).toEqual({ node: 0, watcher: 1 });
        }
        expect(r.out.final).toEqual({ node: 2, watcher: 1 });
        expect(r.out.afterStop).toMatch(/^0x/); // libuv's handler: the listener is still there
        expect(r.out.afterOff).toBe('SIG_DFL');
      });
    }
  }

  it('a listener added and removed while the watcher is active does not starve it', () => {
    const r = run('listener-off.mjs');
    expectClean(r);
    expect(r.out).toEqual({ fired: 2, chainAfterOff: true, chainAfterOn: true, final: 'SIG_DFL' });
  });

  it('SIGUSR1: the watcher fires and Node still starts its inspector', () => {
    const r = run('sigusr1.mjs', [], ['--inspect-port=0']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/Debugger listening on ws:/);
    expect(r.out).toMatchObject({ fired: 1, urlBefore: null, inspectorStarted: true });
    expect(r.out.after).toBe(r.out.before);
  });
});

describe('the disposition is restored after the last watcher', () => {
  for (const how of ['stop', 'close', 'destroy', 'worker']) {
    it(`SIGINT, SIGPIPE, SIGTERM, SIGUSR1, SIGUSR2, SIGCHLD, SIGWINCH: back to the original after ${how}`, () => {
      const r = run('disposition.mjs', [how]);
      expectClean(r);
      const { before, during, after, chain } = r.out;
      // Node's own: SignalExit for SIGINT/SIGTERM, the inspector's SIGUSR1, SIGPIPE ignored.
      expect(before.SIGINT.handler).toMatch(/^0x/);
      expect(before.SIGPIPE.handler).toBe('SIG_IGN');
      expect(before.SIGUSR2.handler).toBe('SIG_DFL');
      for (const name of Object.keys(before)) expect(during[name].chain, name).toBe(true);
      expect(after).toEqual(before);
      for (const state of Object.values(chain)) expect(state).toMatchObject({ chained: false, envs: 0, watchers: 0 });
    });
  }

  for (const sig of ['SIGPIPE', 'SIGINT', 'SIGTERM', 'SIGUSR2']) {
    it(`after start+stop, a ${sig} fares as in plain Node`, () => {
      const control = run('after-stop.mjs', [sig, 'control']);
      const r = run('after-stop.mjs', [sig]);
      expect({ status: r.status, signal: r.signal, stdout: r.stdout }).toEqual({
        status: control.status,
        signal: control.signal,
        stdout: control.stdout,
      });
      if (sig === 'SIGPIPE') expect(r.stdout).toBe('survived\n');
      else expect(r.stdout).toBe('');
    });
  }
});

describe('several loops and threads', () => {
  it('two watchers on one loop, Loop.default, a blocking loop and two workers all get one SIGUSR2', () => {
    const r = run('multi.mjs');
    expectClean(r);
    expect(r.out.fired).toEqual({ a1: 1, a2: 1, default: 1, blocking: 1 });
    expect(r.out.workers).toEqual([
      { ready: true, fired: 1, exit: 0 },
      { ready: true, fired: 1, exit: 0 },
    ]);
    expect(r.out.chainWhileActive).toMatchObject({ chained: true, envs: 3, watchers: 6 });
    expect(r.out.chainAfter).toMatchObject({ chained: false, envs: 0, watchers: 0, raised: 1 });
    expect(r.out.handler).toBe('SIG_DFL');
  });

  for (const how of ['exit', 'terminate']) {
    it(`a worker that took the signal first can ${how} without taking it from the main thread`, () => {
      const r = run('worker-teardown.mjs', [how]);
      expectClean(r);
      expect(r.out.before).toBe('SIG_IGN');
      expect(r.out.both).toMatchObject({ chained: true, envs: 2, watchers: 2 });
      expect(r.out.afterWorker).toMatchObject({ chained: true, envs: 1, watchers: 1, chain: true });
      expect(r.out.fired).toBe(1);
      expect(r.out.exitMs).toBeLessThan(15_000); // a worker's start and teardown; a hang would reach the fixture's 30 s
      expect(r.out.after).toBe('SIG_IGN');
    });
  }
});

describe('races', () => {
  it('a flood of signals while five threads take and give back the signal: no crash, no hang', () => {
    const r = run('stress.mjs', ['1500']);
    expectClean(r);
    expect(r.out.nodeSeen).toBeGreaterThan(0);
    // Every thread finished its churn (at least 60 rounds, more on a fast machine).
    expect(r.out.main.rounds).toBeGreaterThanOrEqual(60);
    expect(r.out.workers).toHaveLength(4);
    for (const w of r.out.workers) expect(w.rounds).toBeGreaterThanOrEqual(60);
  });
});

describe('delivery', () => {
  it('a signal from another process during a blocking run() reaches the watcher before run() returns', () => {
    const r = run('external.mjs', ['blocking']);
    expectClean(r);
    expect(r.out.events).toEqual(['callback', 'run returned']);
    expect(r.out.waitedMs).toBeGreaterThanOrEqual(250);
    expect(r.out.latencyMs).toBeGreaterThanOrEqual(0); // never before the kill
    expect(r.out.latencyMs).toBeLessThan(HANG_GUARD_MS);
    expect(r.out.active).toBe(false);
  });

  it('attached: a signal from another process reaches the watcher', () => {
    const r = run('external.mjs', ['attached']);
    expectClean(r);
    expect(r.out.events).toEqual(['callback']);
    expect(r.out.latencyMs).toBeGreaterThanOrEqual(0); // never before the kill
    expect(r.out.latencyMs).toBeLessThan(HANG_GUARD_MS);
  });

  it('an active watcher nobody references survives GC and fires; stopped ones are collected', () => {
    const r = run('gc.mjs', [], ['--expose-gc']);
    expectClean(r);
    expect(r.out.fired).toBe(1);
    expect(r.out.freed).toBeGreaterThanOrEqual(190);
  });
});

describe('set()', () => {
  it('a watcher moved to another signal while stopped fires for that one only', () => {
    const r = run('set.mjs');
    expectClean(r);
    expect(r.out).toEqual({ seen: ['evkit SIGHUP', 'node SIGUSR2'], signal: 'SIGHUP' });
  });
});

describe('signalled()', () => {
  it('resolves on the signal, rejects AbortError when aborted and RangeError for an unknown name', () => {
    const r = run('signalled.mjs');
    expectClean(r);
    expect(r.out).toEqual({ events: ['AbortError', 'SIGUSR2'], bad: 'RangeError', refCount: 0 });
  });
});

describe('keep-alive', () => {
  it('blocking: an unref()d watcher lets run() return at once', () => {
    const r = run('keepalive.mjs', ['blocking-unref']);
    expectClean(r);
    expect(r.out).toMatchObject({ fired: 0, more: true, active: true, hasRef: false, refCount: 0 });
    expect(r.out.runMs).toBeLessThan(HANG_GUARD_MS); // no SIGALRM ever comes: a run() kept alive would hang
  });

  it('blocking: unref() after start lets run() return at once', () => {
    const r = run('keepalive.mjs', ['blocking-unref-later']);
    expectClean(r);
    expect(r.out).toMatchObject({ more: true, active: true });
    expect(r.out.runMs).toBeLessThan(HANG_GUARD_MS); // no SIGALRM ever comes: a run() kept alive would hang
  });

  it('attached: a ref()d watcher keeps the process alive until the signal', () => {
    const r = run('keepalive.mjs', ['attached-ref']);
    expectClean(r);
    expect(r.out.fired).toBe(1);
    expect(r.out.livedMs).toBeGreaterThanOrEqual(290);
    expect(r.out.livedMs).toBeLessThan(HANG_GUARD_MS);
  });

  it('attached: an unref()d one does not', () => {
    const r = run('keepalive.mjs', ['attached-unref']);
    expectClean(r);
    // The signal comes 1000 ms after the sender starts: a process still alive
    // then would count it (fired 1), and without the watcher it would die of it
    // (expectClean checks the exit). So fired 0 and a clean exit mean it left first.
    expect(r.out.fired).toBe(0);
  });
});

describe('errors from callbacks (the seed SIGALRM example)', () => {
  it('blocking: run() rethrows and the watcher stays active', () => {
    const r = run('throws.mjs', ['blocking']);
    expectClean(r);
    expect(r.out).toEqual({ calls: 1, rethrown: true, stillActive: true });
  });

  it('with errorHandler: it gets (error, watcher) and the loop goes on', () => {
    const r = run('throws.mjs', ['handler']);
    expectClean(r);
    expect(r.out).toEqual({
      calls: 2,
      seen: [
        { same: true, context: true },
        { same: true, context: true },
      ],
      active: false,
    });
  });

  it("attached: 'uncaughtException' gets it", () => {
    const r = run('throws.mjs', ['attached']);
    expectClean(r);
    expect(r.out).toEqual({ calls: 1, uncaught: true });
  });

  it('attached without a listener: Node prints it and exits with code 1', () => {
    const r = run('throws.mjs', ['attached-unhandled']);
    expect(r.status).toBe(1);
    expect(r.signal).toBe(null);
    expect(r.stderr).toMatch(/Error: boom from SIGALRM/);
  });
});

describe('SIGCHLD', () => {
  it("a SIGCHLD watcher does not break child_process: every child's 'exit' fires", () => {
    const r = run('sigchld.mjs');
    expectClean(r);
    expect(r.out.codes).toEqual([3, 4, 5, 6]);
    expect(r.out.attachedFired).toBeGreaterThanOrEqual(1);
    expect(r.out.blockingFired).toBe(1);
    expect(r.out).toMatchObject({ before: 'SIG_DFL', whileActive: true, after: 'SIG_DFL' });
  });
});

