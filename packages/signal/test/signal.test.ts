// Signal in-process: argument handling, properties and the watcher base. No
// signal is raised and no watcher is started here (signals are process-global:
// everything that takes one runs in a child process, see process.test.ts).
import { inspect } from 'node:util';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { WatcherKind, binding } from '@evkit/core-native/binding';
import { testing } from '@evkit/native-testing';
import { Loop, LoopDestroyedError, SIGNAL, WatcherClosedError } from '@evkit/loop';
import { Signal } from '@evkit/signal';
import { useFreshLoop } from '@evkit/test-utils';

const { rtmin, rtmax, nsig } = binding.signalLimits;

describe('new Signal(loop, signum)', () => {
  const fresh = useFreshLoop();

  it('util.inspect names the signal', () => {
    expect(inspect(new Signal(fresh(), 'SIGUSR2'))).toBe('<Signal signal=SIGUSR2>');
  });

  it('takes a number or a name and reports both', () => {
    const loop = fresh();
    const byName = new Signal(loop, 'SIGUSR1');
    expect([byName.signum, byName.signal]).toEqual([constants.signals.SIGUSR1, 'SIGUSR1']);
    const byNumber = new Signal(loop, constants.signals.SIGUSR2);
    expect([byNumber.signum, byNumber.signal]).toEqual([constants.signals.SIGUSR2, 'SIGUSR2']);
    expect(new Signal(loop, 'SIGCHLD').signum).toBe(constants.signals.SIGCHLD);
    expect(new Signal(loop, 'SIGPIPE').signal).toBe('SIGPIPE');
  });

  it('names a signal with several names by its first one in os.constants.signals', () => {
    const loop = fresh();
    const iot = new Signal(loop, 'SIGIOT');
    expect([iot.signum, iot.signal]).toEqual([constants.signals.SIGABRT, 'SIGABRT']);
    expect(new Signal(loop, 'SIGPOLL').signal).toBe('SIGIO');
  });

  it("takes glibc's real-time signals by number or as SIGRTMIN+n / SIGRTMAX-n", () => {
    const loop = fresh();
    expect(new Signal(loop, 'SIGRTMIN').signum).toBe(rtmin);
    expect(new Signal(loop, 'SIGRTMIN+3').signum).toBe(rtmin + 3);
    expect(new Signal(loop, 'SIGRTMAX-1').signum).toBe(rtmax - 1);
    expect(new Signal(loop, rtmin).signal).toBe('SIGRTMIN');
    expect(new Signal(loop, rtmin + 1).signal).toBe('SIGRTMIN+1');
    expect(new Signal(loop, rtmax).signal).toBe('SIGRTMAX');
    expect(new Signal(loop, rtmax - 2).signal).toBe('SIGRTMAX-2');
  });

  it('rejects unknown names and out-of-range numbers with a RangeError', () => {
    const loop = fresh();
    for (const bad of ['SIGNOPE', 'sigusr1', 'USR1', '', 'SIGRTMIN+99', 'SIGRTMIN-1', 'SIGRTMAX+1']) {
      expect(() => new Signal(loop, bad), bad).toThrow(RangeError);
      expect(() => new Signal(loop, bad), bad).toThrow(/signum: unknown signal name/);
    }
    for (const bad of [0, -1, nsig, nsig + 1, 1000, 1.5, Number.NaN, Infinity]) {
      expect(() => new Signal(loop, bad), String(bad)).toThrow(RangeError);
      expect(() => new Signal(loop, bad), String(bad)).toThrow(`signum must be a signal number from 1 to ${nsig - 1}`);
    }
  });

  it('refuses the signals evkit must not take, saying why', () => {
    const loop = fresh();
    const cases: Array<[number | string, RegExp]> = [
      ['SIGKILL', /SIGKILL \(9\): it can be neither caught nor ignored/],
      [constants.signals.SIGSTOP, /SIGSTOP \(19\): it can be neither caught nor ignored/],
      ['SIGSEGV', /SIGSEGV .*V8 and Node handle it/],
      ['SIGBUS', /SIGBUS .*V8 and Node handle it/],
      [constants.signals.SIGFPE, /SIGFPE .*V8 and Node handle it/],
      ['SIGILL', /SIGILL .*V8 and Node handle it/],
      [32, /\(32\): glibc reserves it/],
      [33, /\(33\): glibc reserves it/],
    ];
    for (const [signum, message] of cases) {
      expect(() => new Signal(loop, signum), String(signum)).toThrow(RangeError);
      expect(() => new Signal(loop, signum), String(signum)).toThrow(message);
    }
  });

  it('rejects other types with a TypeError naming the argument', () => {
    const loop = fresh();
    for (const bad of [undefined, null, {}, [], 10n, true]) {
      expect(() => new Signal(loop, bad as never)).toThrow(TypeError);
      expect(() => new Signal(loop, bad as never)).toThrow(/^signum must be a signal number or name/);
    }
    expect(() => new Signal({} as Loop, 'SIGUSR1')).toThrow(/loop must be an evkit Loop/);
    expect(() => new Signal(fresh(), 'SIGUSR1', { priority: 7 })).toThrow(RangeError);
    expect(() => new Signal(fresh(), 'SIGUSR1', { ref: 1 as never })).toThrow(TypeError);
  });

  it('constructing does not touch the signal disposition', () => {
    const loop = fresh();
    const before = testing.sigaction(constants.signals.SIGUSR2);
    const w = new Signal(loop, 'SIGUSR2', { priority: 2, ref: false });
    expect(testing.sigaction(constants.signals.SIGUSR2)).toEqual(before);
    expect(testing.signalChain(constants.signals.SIGUSR2)).toMatchObject({ chained: false, watchers: 0 });
    expect([w.active, w.pending, w.priority, w.hasRef()]).toEqual([false, false, 2, false]);
  });

  it('the raw binding makes no watcher for a bad signum, without crashing', () => {
    const native = new binding.Loop({}, 0);
    try {
      for (const bad of [0, 9, 11, 32, 65, -3, 1.5, 'x' as never]) {
        expect(binding.watcherStart(native.id(), WatcherKind.Signal, 2, bad, 0), String(bad)).toBe(0);
        expect(binding.watcherStatus()).toBe(constants.errno.EINVAL);
      }
    } finally {
      native.destroy();
    }
  });

  it('refuses exactly the native list of signals, with its reasons', () => {
    const refusals = new Map(binding.signalLimits.refusals);
    expect([...refusals.keys()].sort((a, b) => a - b)).toEqual([4, 7, 8, 9, 11, 19, 32, 33]);
    for (const [signum, why] of refusals) {
      expect(() => new Signal(new Loop(), signum)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining(why) }));
    }
  });
});

describe('Signal as a watcher', () => {
  const fresh = useFreshLoop();

  it('feed() delivers through the callback without any signal or chain', () => {
    const loop = fresh();
    const calls: unknown[][] = [];
    const w = new Signal<[string]>(loop, 'SIGUSR2');
    w.callback = function (this: Signal, ...args: unknown[]) {
      calls.push([this === w, ...args]);
    };
    w.args = ['x'];
    w.feed(SIGNAL);
    expect(w.pending).toBe(true);
    expect(testing.signalChain(constants.signals.SIGUSR2).chained).toBe(false);
    loop.run();
    expect(calls).toEqual([[true, 'x']]);
  });

  it('set(), signum and signal change the signal while stopped, validated as the constructor does', () => {
    const loop = fresh();
    const w = new Signal(loop, 'SIGUSR1');
    expect(w.set('SIGUSR2')).toBe(w);
    expect([w.signum, w.signal]).toEqual([constants.signals.SIGUSR2, 'SIGUSR2']);
    w.signum = constants.signals.SIGHUP;
    expect(w.signal).toBe('SIGHUP');
    w.signal = 'SIGTERM';
    expect(w.signum).toBe(constants.signals.SIGTERM);
    expect(() => w.set('SIGKILL')).toThrow(RangeError);
    expect(() => w.set({} as never)).toThrow(TypeError);
    expect(w.signal).toBe('SIGTERM');
    w.callback = () => {};
    w.feed(SIGNAL);
    expect(() => w.set('SIGUSR1')).toThrow(expect.objectContaining({ code: 'ERR_EVKIT_WATCHER_ACTIVE', message: expect.stringMatching(/signal of an active or pending Signal/) }));
    loop.run();
    w.start(() => {});
    expect(() => (w.signal = 'SIGUSR1')).toThrow(expect.objectContaining({ code: 'ERR_EVKIT_WATCHER_ACTIVE' }));
    w.close();
    expect(() => w.set('SIGUSR1')).toThrow(WatcherClosedError);
  });

  it('throws the usual errors once closed or once its loop is destroyed', () => {
    const loop = fresh();
    const w = new Signal(loop, 'SIGUSR2');
    w.close();
    expect(() => w.start(() => {})).toThrow(WatcherClosedError);
    const other = new Loop();
    const v = new Signal(other, 'SIGUSR2');
    other.destroy();
    expect(() => v.start(() => {})).toThrow(LoopDestroyedError);
    expect(() => new Signal(other, 'SIGUSR2')).toThrow(LoopDestroyedError);
    expect(() => new Signal(loop, 'SIGUSR2').start('nope' as never)).toThrow(TypeError);
  });
});
