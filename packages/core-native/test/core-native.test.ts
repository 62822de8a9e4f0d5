import { describe, expect, it } from 'vitest';
import {
  embeddableBackends,
  headerVersion,
  libevVersion,
  recommendedBackends,
  supportedBackends,
  time,
} from '@evkit/core-native';
import { constants } from 'node:os';
import { STATUS_LOOP_GONE, WatcherKind, binding } from '@evkit/core-native/binding';
import { loadAddon } from '../lib/load.js';
import { missingLibevMessage } from '../scripts/check-libev.mjs';

describe('versions and backends', () => {
  it('reports the runtime and header libev versions, and they agree', () => {
    expect(libevVersion()).toMatch(/^libev-4\.\d\d$/);
    expect(headerVersion()).toBe(libevVersion());
  });

  it('lists backends by name; recommended and embeddable are within supported', () => {
    const supported = supportedBackends();
    expect(supported).toEqual(expect.arrayContaining(['select', 'poll']));
    if (process.platform === 'linux') expect(supported).toContain('epoll');
    expect(supported).not.toContain('kqueue');
    for (const name of [...recommendedBackends(), ...embeddableBackends()]) expect(supported).toContain(name);
    expect(recommendedBackends().length).toBeGreaterThan(0);
  });

  it('time() is wall-clock seconds', () => {
    expect(Math.abs(time() - Date.now() / 1000)).toBeLessThan(1);
  });

  it('exposes an ABI version', () => {
    expect(binding.abi).toEqual({ major: 2, minor: expect.any(Number) });
  });
});

describe('loading', () => {
  it('lists every path tried when the addon is missing', () => {
    let message = '';
    try {
      loadAddon(['./nope/a.node', './nope/b.node'], import.meta.url);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('could not load the native addon');
    expect(message).toMatch(/nope\/a\.node: .*\n.*nope\/b\.node: /);
    expect(message).toContain('libev-dev');
  });

  it('loads only from EVKIT_ADDON_PATH when it is set (the sanitizer build hook)', () => {
    const saved = process.env.EVKIT_ADDON_PATH;
    process.env.EVKIT_ADDON_PATH = '/nonexistent/evkit-asan.node';
    let message = '';
    try {
      loadAddon(['./nope/a.node'], import.meta.url);
    } catch (error) {
      message = (error as Error).message;
    } finally {
      if (saved === undefined) delete process.env.EVKIT_ADDON_PATH;
      else process.env.EVKIT_ADDON_PATH = saved;
    }
    expect(message).toContain('EVKIT_ADDON_PATH is set');
    expect(message).toContain('/nonexistent/evkit-asan.node: ');
    expect(message).not.toContain('nope/a.node');
  });

  it('names the package to install when libev is missing', () => {
    const message = missingLibevMessage({});
    expect(message).toContain('ev.h, libev.so');
    expect(message).toContain('apt-get install -y libev-dev');
    expect(message).toContain('libev-devel');
    expect(message).toContain('brew install libev');
  });
});

const { EBADF, EINVAL } = constants.errno;

describe('the raw binding never crashes on misuse', () => {
  const IDLE = WatcherKind.Idle;
  const DEFAULT_FLAGS = 2; // priority 0, referenced

  it('refuses loop ids, kinds and parameters it does not know, with a status', () => {
    const loop = new binding.Loop({}, 0);
    const loopId = loop.id();
    expect(binding.watcherStart(12345, IDLE, DEFAULT_FLAGS, 0, 0)).toBe(0);
    expect(binding.watcherStatus()).toBe(STATUS_LOOP_GONE);
    expect(binding.watcherStart({} as never, IDLE, DEFAULT_FLAGS, 0, 0)).toBe(0);
    expect(binding.watcherStatus()).toBe(STATUS_LOOP_GONE);
    for (const kind of [0, 99, 1.5, -1, NaN]) {
      expect(binding.watcherStart(loopId, kind, DEFAULT_FLAGS, 0, 0)).toBe(0);
      expect(binding.watcherStatus()).toBe(EINVAL);
    }
    // Io with a negative fd or a bad mask, Signal with a refused number: no watcher.
    expect(binding.watcherStart(loopId, WatcherKind.Io, DEFAULT_FLAGS, -1, 1)).toBe(0);
    expect(binding.watcherStart(loopId, WatcherKind.Io, DEFAULT_FLAGS, 0, 7)).toBe(0);
    expect(binding.watcherStart(loopId, WatcherKind.Signal, DEFAULT_FLAGS, 9, 0)).toBe(0);
    expect(binding.statCreate(loopId, DEFAULT_FLAGS, 5 as never, 0)).toBe(0);
    expect(binding.statCreate(loopId, DEFAULT_FLAGS, Buffer.from('a\0b'), 0)).toBe(0);
    loop.destroy();
  });

  it('ignores stale, foreign and malformed ids', () => {
    const loop = new binding.Loop({}, 0);
    const id = binding.watcherStart(loop.id(), IDLE, DEFAULT_FLAGS, 0, 0);
    expect(id).toBeGreaterThan(0);
    expect(binding.watcherActive(id)).toBe(true);
    binding.watcherClose(id);
    // The slot is reused with a new generation: the old id names nothing.
    const next = binding.watcherStart(loop.id(), IDLE, DEFAULT_FLAGS, 0, 0);
    expect(next).not.toBe(id);
    for (const bad of [id, 0, -1, 0.5, NaN, 2 ** 60, 'x' as never, {} as never]) {
      expect(binding.watcherActive(bad)).toBe(false);
      expect(binding.watcherRestart(bad)).toBe(0);
      binding.watcherStop(bad);
      binding.watcherFeed(bad, 1);
      binding.watcherClose(bad);
      expect(binding.watcherSetPriority(bad, 1)).toBe(false);
      expect(binding.timerRemaining(bad)).toBe(undefined);
    }
    // A kind's own verbs refuse another kind's id.
    expect(binding.timerRemaining(next)).toBe(undefined);
    expect(binding.watcherActive(next)).toBe(true);
    loop.destroy();
    // Its loop destroyed, a transient watcher's id is stale too.
    expect(binding.watcherActive(next)).toBe(false);
    binding.watcherStop(next);
  });

  it('rejects bad Loop arguments', () => {
    expect(() => new binding.Loop(5 as never, 0)).toThrow(TypeError);
    expect(() => new binding.Loop({}, -1)).toThrow(RangeError);
    expect(() => new binding.Loop({}, 0, 5 as never)).toThrow(TypeError);
    expect(() => new binding.Loop({}, 0, 0n)).toThrow(RangeError);
    expect(() => binding.Loop.lookup(5 as never)).toThrow(TypeError);
    expect(binding.Loop.lookup(0x1234n)).toBe('unknown');
  });

  it('throws on a destroyed loop and leaves its persistent watchers inert', () => {
    const loop = new binding.Loop({}, 0);
    const loopId = loop.id();
    const asyncId = binding.watcherCreate(loopId, WatcherKind.Async, DEFAULT_FLAGS, 0, 0);
    expect(binding.watcherRestart(asyncId)).toBe(0);
    loop.destroy();
    loop.destroy();
    expect(loop.destroyed()).toBe(true);
    expect(loop.id()).toBe(0);
    expect(loop.ptr()).toBe(0n);
    expect(() => loop.run(0)).toThrow(/destroyed loop/);
    expect(() => loop.now()).toThrow(expect.objectContaining({ code: 'ERR_EVKIT_LOOP_DESTROYED' }));
    expect(binding.watcherCreate(loopId, WatcherKind.Async, DEFAULT_FLAGS, 0, 0)).toBe(0);
    expect(binding.watcherStatus()).toBe(STATUS_LOOP_GONE);
    expect(binding.watcherRestart(asyncId)).toBe(0);
    binding.watcherStop(asyncId);
    binding.watcherFeed(asyncId, 1);
    binding.asyncNotify(asyncId);
    expect(binding.watcherActive(asyncId)).toBe(false);
    expect(binding.asyncSenderId(asyncId)).toBe(0n);
    binding.watcherClose(asyncId);
    binding.watcherClose(asyncId);
  });

  it('refuses priorities libev would clamp or assert on, and changes while active', () => {
    const loop = new binding.Loop({}, 0);
    const id = binding.watcherCreate(loop.id(), IDLE, DEFAULT_FLAGS, 0, 0);
    expect(binding.watcherSetPriority(id, 7)).toBe(false);
    expect(binding.watcherSetPriority(id, 1.5)).toBe(false);
    expect(binding.watcherSetPriority(id, -2)).toBe(true);
    expect(binding.watcherRestart(id)).toBe(0);
    expect(binding.watcherSetPriority(id, 0)).toBe(false);
    loop.destroy();
  });

  it('runs a loop without hooks callers (dispatch into JS is routed through setHooks)', () => {
    const loop = new binding.Loop({}, 0);
    expect(loop.run(1)).toBe(false);
    loop.destroy();
  });
});

describe('statuses instead of native errors', () => {
  it('ships no test-only helpers: the binding has no `testing` export', () => {
    expect('testing' in binding).toBe(false);
  });

  it('Loop.create() returns a loop, and watchers return their start status', () => {
    const made = binding.Loop.create({}, 0);
    expect(typeof made).toBe('object');
    const loop = made as Exclude<typeof made, number>;
    const id = binding.watcherStart(loop.id(), WatcherKind.Check, 2, 0, 0);
    expect(id).toBeGreaterThan(0);
    expect(binding.watcherRestart(id)).toBe(0);
    // An fd that is not open: the io kind's own status, and no watcher.
    expect(binding.watcherStart(loop.id(), WatcherKind.Io, 2, 1_000_000, 1)).toBe(0);
    expect(binding.watcherStatus()).toBe(EBADF);
    loop.destroy();
  });

  it('signalChainState() is null for a number that is not a signal', () => {
    expect(binding.signalChainState(0)).toBe(null);
    expect(binding.signalChainState(100000)).toBe(null);
    expect(binding.signalChainState(10)).toMatchObject({ chained: false, handler: expect.stringMatching(/^0x/) });
  });
});
