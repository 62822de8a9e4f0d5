import { describe, expect, it } from 'vitest';
import {
  embeddableBackends,
  headerVersion,
  libevVersion,
  recommendedBackends,
  supportedBackends,
  time,
} from '@evkit/core-native';
import { binding } from '@evkit/core-native/binding';
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
    expect(binding.abi).toEqual({ major: 1, minor: expect.any(Number) });
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

describe('the raw binding never crashes on misuse', () => {
  it('rejects foreign objects as loops with a TypeError (type tags)', () => {
    expect(() => new binding.Prepare({} as never, {})).toThrow(TypeError);
    expect(() => new binding.Idle(null as never, {})).toThrow(TypeError);
    const loop = new binding.Loop({}, 0);
    const watcher = new binding.Check(loop, {});
    expect(() => new binding.Check(watcher as never, {})).toThrow(TypeError);
    expect(() => new binding.Check(loop, 5 as never)).toThrow(TypeError);
    loop.destroy();
  });

  it('rejects bad Loop arguments', () => {
    expect(() => new binding.Loop(5 as never, 0)).toThrow(TypeError);
    expect(() => new binding.Loop({}, -1)).toThrow(RangeError);
    expect(() => new binding.Loop({}, 0, 5 as never)).toThrow(TypeError);
    expect(() => new binding.Loop({}, 0, 0n)).toThrow(RangeError);
    expect(() => binding.Loop.lookup(5 as never)).toThrow(TypeError);
    expect(binding.Loop.lookup(0x1234n)).toBe('unknown');
  });

  it('throws on a destroyed loop and leaves its watchers inert', () => {
    const loop = new binding.Loop({}, 0);
    const watcher = new binding.Idle(loop, {});
    watcher.start();
    loop.destroy();
    loop.destroy();
    expect(loop.destroyed()).toBe(true);
    expect(loop.ptr()).toBe(0n);
    expect(() => loop.run(0)).toThrow(/destroyed loop/);
    expect(() => loop.now()).toThrow(expect.objectContaining({ code: 'ERR_EVKIT_LOOP_DESTROYED' }));
    expect(() => new binding.Idle(loop, {})).toThrow(/destroyed loop/);
    watcher.start();
    watcher.stop();
    watcher.feed(1);
    expect(watcher.active()).toBe(false);
    expect(watcher.setPriority(1)).toBe(true);
    watcher.close();
    watcher.close();
  });

  it('refuses priorities libev would clamp or assert on, and changes while active', () => {
    const loop = new binding.Loop({}, 0);
    const watcher = new binding.Idle(loop, {});
    expect(watcher.setPriority(7)).toBe(false);
    expect(watcher.setPriority(-2)).toBe(true);
    watcher.start();
    expect(watcher.setPriority(0)).toBe(false);
    expect(watcher.priority()).toBe(-2);
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
    const watcher = new binding.Check(loop, {});
    expect(watcher.start()).toBe(0);
    expect(watcher.start()).toBe(0);
    watcher.close();
    expect(watcher.start()).toBe(0);
    loop.destroy();
  });

  it('signalChainState() is null for a number that is not a signal', () => {
    expect(binding.signalChainState(0)).toBe(null);
    expect(binding.signalChainState(100000)).toBe(null);
    expect(binding.signalChainState(10)).toMatchObject({ chained: false, handler: expect.stringMatching(/^0x/) });
  });
});
