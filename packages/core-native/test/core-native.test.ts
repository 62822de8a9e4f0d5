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
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { BUILD_FROM_SOURCE, PREBUILT_PLATFORMS, loadAddon, platformId } from '../lib/load.js';
import { PLATFORMS } from '../scripts/platforms.mjs';
import { buildFromSourceCommand, missingLibevMessage } from '../scripts/check-libev.mjs';

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
  const loadError = (...args: Parameters<typeof loadAddon>) => {
    try {
      loadAddon(...args);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('loaded');
  };

  it('lists every path tried, the platform package among them, and how to get a binary', () => {
    // A platform with no package: under vitest every workspace package resolves from anywhere.
    const message = loadError({ local: ['./nope/a.node', './nope/b.node'], platform: 'linux-x64-nope', base: import.meta.url });
    expect(message).toContain('could not load the native addon for linux-x64-nope. Tried:');
    expect(message).toMatch(/nope\/a\.node: not found\n.*nope\/b\.node: not found\n  @evkit\/core-native-linux-x64-nope\/evkit\.node: not installed\n/);
    expect(message).toContain(
      'Prebuilt binaries exist for linux-x64-gnu, linux-arm64-gnu, linux-x64-musl, linux-arm64-musl, darwin-x64, darwin-arm64',
    );
    expect(message).toContain('@evkit/core-native-<platform>, an optional dependency');
    expect(message).toContain('Windows is not supported');
    expect(message).toContain(`\n  ${BUILD_FROM_SOURCE}`);
    expect(BUILD_FROM_SOURCE).toMatch(/^node \/.*\/scripts\/build-native\.mjs --system$/);
    expect(existsSync(BUILD_FROM_SOURCE.split(' ')[1]!)).toBe(true);
    for (const hint of ['python3', 'make', 'g++', 'node-addon-api@8', 'libev-dev', 'libev-devel', 'brew install libev']) {
      expect(message).toContain(hint);
    }
    expect(message).not.toContain('pnpm --filter');
  });

  it('has one platform package per prebuilt platform, each an optional dependency, as platform-packages.mjs writes them', () => {
    expect(PLATFORMS.map((p) => p.id)).toEqual([...PREBUILT_PLATFORMS]);
    const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      optionalDependencies: Record<string, string>;
    };
    expect(Object.keys(own.optionalDependencies).sort()).toEqual(PLATFORMS.map((p) => `@evkit/core-native-${p.id}`).sort());
    for (const p of PLATFORMS) {
      const manifest = JSON.parse(readFileSync(new URL(`../../core-native-${p.id}/package.json`, import.meta.url), 'utf8'));
      expect([manifest.os, manifest.cpu, manifest.libc]).toEqual([[p.os], [p.cpu], p.libc ? [p.libc] : undefined]);
    }
    const generator = new URL('../scripts/platform-packages.mjs', import.meta.url).pathname;
    const check = spawnSync(process.execPath, [generator, '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('names platforms as the prebuilt packages do: platform, arch and, on Linux, the libc', () => {
    expect(platformId('darwin', 'arm64')).toBe('darwin-arm64');
    expect(platformId('win32', 'x64')).toBe('win32-x64');
    const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;
    expect(platformId('linux', 'x64')).toBe(glibc === undefined ? 'linux-x64-musl' : 'linux-x64-gnu');
    expect(loadError({ local: [], platform: 'sunos-sparc' })).toContain('for sunos-sparc. Tried:\n  @evkit/core-native-sunos-sparc/evkit.node: not installed');
  });

  it('loads only from EVKIT_ADDON_PATH when it is set (the sanitizer build hook)', () => {
    const saved = process.env.EVKIT_ADDON_PATH;
    process.env.EVKIT_ADDON_PATH = '/nonexistent/evkit-asan.node';
    let message = '';
    try {
      message = loadError({ local: ['./nope/a.node'], base: import.meta.url });
    } finally {
      if (saved === undefined) delete process.env.EVKIT_ADDON_PATH;
      else process.env.EVKIT_ADDON_PATH = saved;
    }
    expect(message).toContain('EVKIT_ADDON_PATH is set');
    expect(message).toContain('/nonexistent/evkit-asan.node: ');
    expect(message).not.toContain('nope/a.node');
    expect(message).not.toContain('@evkit/core-native-linux-x64-gnu/evkit.node:');
  });

  it('names the package to install and the command to rerun when the system libev is missing', () => {
    const message = missingLibevMessage({});
    expect(message).toContain('ev.h, libev.so');
    expect(message).toContain('apt-get install -y libev-dev');
    expect(message).toContain('libev-devel');
    expect(message).toContain('brew install libev');
    expect(message).toContain(buildFromSourceCommand);
    expect(buildFromSourceCommand).toBe(BUILD_FROM_SOURCE);
    expect(message).toContain('linux-x64 glibc');
    expect(message).not.toContain('pnpm --filter');
  });
});

describe('the loaded addon', () => {
  it.runIf(process.platform === 'linux')('exports no libev symbol, only its Node-API entry points; with libev linked in, it needs no system libstdc++', (ctx) => {
    expect(binding.abi.major).toBeGreaterThan(0);
    const file = readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .map((line) => line.split(/\s+/)[5])
      .find((mapped) => mapped?.endsWith('/evkit.node'));
    expect(file).toBeDefined();
    const nm = spawnSync('nm', ['-D', file!], { encoding: 'utf8' });
    if (nm.error) ctx.skip(`nm is not installed (${nm.error.message})`);
    expect(nm.status, nm.stderr).toBe(0);
    const symbols = nm.stdout.split('\n');
    const exported = symbols.filter((line) => /^[0-9a-f]+ [A-Za-z] /.test(line)).map((line) => line.split(' ')[2]);
    expect(exported.filter((name) => name!.startsWith('ev_'))).toEqual([]);
    // native/exports.map: the Node-API entry points and nothing else.
    expect(exported.sort()).toEqual(['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
    const libevImports = symbols.filter((line) => / U ev_/.test(line));
    if (libevImports.length === 0) {
      expect(symbols.filter((line) => /@(GLIBCXX|CXXABI)_/.test(line))).toEqual([]);
    }
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

  it('watcherCallInContext calls plainly for an id without a native context, and refuses a non-function', () => {
    const loop = new binding.Loop({}, 0);
    const id = binding.watcherStart(loop.id(), IDLE, DEFAULT_FLAGS, 0, 0);
    const recv = {};
    for (const which of [id, 0, -1, NaN, 'x' as never]) {
      const got: unknown[] = [];
      const result = binding.watcherCallInContext(
        which,
        function (this: unknown, ...args: unknown[]) {
          got.push(this, ...args);
          return 'r';
        },
        recv,
        1,
        'two',
      );
      expect(result).toBe('r');
      expect(got).toEqual([recv, 1, 'two', undefined]);
    }
    expect(() =>
      binding.watcherCallInContext(id, (() => {
        throw new RangeError('from fn');
      }) as never, recv),
    ).toThrow('from fn');
    expect(() => binding.watcherCallInContext(id, 'nope' as never, recv)).toThrow(TypeError);
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
