// Stat watchers. Invariants:
// - the callback runs when the path's lstat() attributes change: content
//   write, touch, chmod, create of a missing path, unlink, rename over it,
//   removal of its directory; attr/prev show the state after and before;
// - mtime and ctime are compared to the nanosecond: a same-size rewrite within
//   one second is reported (libev's ev_stat, comparing seconds, misses it);
// - with inotify changes arrive at once; without it (FLAG_NOINOTIFY) the path
//   is polled every `interval` seconds, clamped like libev's ev_stat;
// - blocking and attached loops behave alike.
import fs from 'node:fs';
import { inspect } from 'node:util';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Loop, LoopDestroyedError, WatcherClosedError, CUSTOM, TIMER } from '@evkit/loop';
import { FileStats, Stat } from '@evkit/stat';
import { Timer } from '@evkit/timer';
import { useFreshLoop } from '@evkit/test-utils';
import { atSecondStart, nextChange, nextChangeAsync, pollOrder, rewriteInPlace, useTempDir } from './helpers.js';

const MIN_INTERVAL = 0.1074891;
const DEFAULT_INTERVAL = 5.0074891;
/**
 * What separates "seen by inotify" from "seen by the default 5 s poll": half
 * that poll. A bound against evkit's own interval, not the machine's speed
 * (nextChange() gives up after 3 s anyway).
 */
const LONG_BEFORE_THE_POLL_MS = (DEFAULT_INTERVAL * 1000) / 2;

describe('path, interval, a write and an unlink', () => {
  const fresh = useFreshLoop();
  const tmp = useTempDir();

  it('util.inspect shows the path and the interval', () => {
    const w = new Stat(fresh(), '/no/such/file', 0.5);
    expect(inspect(w)).toBe('<Stat path="/no/such/file" interval=0.5>');
    w.close();
  });

  it('path and interval read back as given before start', () => {
    const loop = fresh();
    const file = path.join(tmp(), 'f');
    const w = new Stat(loop, file, 0.01);
    expect(w.path).toBe(file);
    expect(w.interval).toBe(0.01);
    expect(w.attr).toBeNull();
    expect(w.prev).toBeNull();
    expect(w.active).toBe(false);
    w.close();
  });

  it('a write 0.5 s later fires after >= 0.5 s; attr and prev are set; interval was clamped', () => {
    const loop = fresh();
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(file, 'one');
    const w = new Stat(loop, file, 0.01);
    const started = performance.now();
    const seen = nextChange(loop, w, () => fs.appendFileSync(file, 'two'), 0.5);
    expect(seen).not.toBeNull();
    expect(performance.now() - started).toBeGreaterThanOrEqual(499);
    expect(seen!.attr).toBeInstanceOf(FileStats);
    expect(seen!.prev).toBeInstanceOf(FileStats);
    expect(seen!.attr!.size).toBe(6);
    expect(seen!.prev!.size).toBe(3);
    expect(w.interval).toBe(MIN_INTERVAL);
    w.stop();
  });

  it('unlinking the file fires with attr null and prev set', () => {
    const loop = fresh();
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(file, 'data');
    const w = new Stat(loop, file);
    const seen = nextChange(loop, w, () => fs.unlinkSync(file));
    expect(seen).not.toBeNull();
    expect(seen!.attr).toBeNull();
    expect(seen!.prev).not.toBeNull();
    expect(seen!.prev!.size).toBe(4);
    w.stop();
  });
});

describe('changes that fire (inotify, blocking)', () => {
  const fresh = useFreshLoop();
  const tmp = useTempDir();

  function watched(content = 'hello') {
    const loop = fresh();
    const file = path.join(tmp(), 'f.txt');
    fs.writeFileSync(file, content);
    return { loop, file, w: new Stat(loop, file) };
  }

  it('a content write (append)', () => {
    const { loop, file, w } = watched();
    const seen = nextChange(loop, w, () => fs.appendFileSync(file, '!'));
    expect(seen?.attr?.size).toBe(6);
    expect(seen?.prev?.size).toBe(5);
    expect(seen!.ms).toBeLessThan(LONG_BEFORE_THE_POLL_MS);
    w.stop();
  });

  it('a same-size rewrite within the same second (nanosecond comparison)', () => {
    const { loop, file, w } = watched('aaaa');
    w.start(() => {});
    // Retried when a second boundary falls between the two writes (rare).
    let seen = null;
    let before = w.attr!;
    for (let attempt = 0; attempt < 3; attempt++) {
      atSecondStart();
      w.stat();
      before = w.attr!;
      seen = nextChange(loop, w, () => rewriteInPlace(file, attempt % 2 ? 'aaaa' : 'bbbb'));
      expect(seen).not.toBeNull();
      if (seen!.attr!.mtimeNs / 1_000_000_000n === before.mtimeNs / 1_000_000_000n) break;
    }
    expect(seen!.attr!.size).toBe(before.size);
    expect(seen!.prev!.mtimeNs).toBe(before.mtimeNs);
    expect(seen!.attr!.mtimeNs).not.toBe(before.mtimeNs);
    // the case libev's ev_stat (whole seconds) cannot see
    expect(seen!.attr!.mtimeNs / 1_000_000_000n).toBe(before.mtimeNs / 1_000_000_000n);
    w.stop();
  });

  it('an mtime moved within one second (utimes 1000.25 -> 1000.75)', () => {
    const { loop, file, w } = watched();
    fs.utimesSync(file, 1000.25, 1000.25);
    w.start(() => {});
    const seen = nextChange(loop, w, () => fs.utimesSync(file, 1000.75, 1000.75));
    expect(seen!.prev!.mtimeNs).toBe(1000_250_000_000n);
    expect(seen!.attr!.mtimeNs).toBe(1000_750_000_000n);
    w.stop();
  });

  it('touch (utimes) to a new time', () => {
    const { loop, file, w } = watched();
    const when = new Date(Date.now() - 3_600_000);
    const seen = nextChange(loop, w, () => fs.utimesSync(file, when, when));
    expect(Math.round(seen!.attr!.mtimeMs)).toBe(when.getTime());
    w.stop();
  });

  it('chmod', () => {
    const { loop, file, w } = watched();
    fs.chmodSync(file, 0o644);
    w.start(() => {});
    const seen = nextChange(loop, w, () => fs.chmodSync(file, 0o600));
    expect(seen!.attr!.mode & 0o777).toBe(0o600);
    expect(seen!.prev!.mode & 0o777).toBe(0o644);
    w.stop();
  });

  it('rename over the path; the watch follows the new file', () => {
    const { loop, file, w } = watched('old');
    const seen = nextChange(loop, w, () => {
      fs.writeFileSync(`${file}.tmp`, 'replacement');
      fs.renameSync(`${file}.tmp`, file);
    });
    expect(seen!.attr!.size).toBe(11);
    expect(seen!.attr!.ino).not.toBe(seen!.prev!.ino);
    // later writes to the new inode are seen too
    const again = nextChange(loop, w, () => fs.appendFileSync(file, '+'));
    expect(again?.attr?.size).toBe(12);
    w.stop();
  });

  it('create of a missing path', () => {
    const loop = fresh();
    const file = path.join(tmp(), 'later.txt');
    const w = new Stat(loop, file);
    w.start(() => {});
    expect(w.attr).toBeNull();
    const seen = nextChange(loop, w, () => fs.writeFileSync(file, 'x'));
    expect(seen!.attr!.isFile()).toBe(true);
    expect(seen!.prev).toBeNull();
    expect(seen!.ms).toBeLessThan(LONG_BEFORE_THE_POLL_MS); // inotify on the directory, not the 5 s poll
    w.stop();
  });

  it('create of a path whose directories do not exist yet', () => {
    const loop = fresh();
    const root = tmp();
    const file = path.join(root, 'a', 'b', 'c.txt');
    const w = new Stat(loop, file);
    w.start(() => {});
    const seen = nextChange(loop, w, () => {
      fs.mkdirSync(path.join(root, 'a'));
      fs.mkdirSync(path.join(root, 'a', 'b'));
      fs.writeFileSync(file, 'deep');
    });
    expect(seen?.attr?.isFile()).toBe(true); // possibly still empty: writeFileSync creates, then writes
    expect(seen!.ms).toBeLessThan(LONG_BEFORE_THE_POLL_MS);
    w.stop();
  });

  it('the directory holding the path is removed, then made again', () => {
    const loop = fresh();
    const dir = path.join(tmp(), 'sub');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'f');
    fs.writeFileSync(file, '12345');
    const w = new Stat(loop, file);
    const gone = nextChange(loop, w, () => fs.rmSync(dir, { recursive: true }));
    expect(gone!.attr).toBeNull();
    expect(gone!.prev!.size).toBe(5);
    expect(w.active).toBe(true);
    const back = nextChange(loop, w, () => {
      fs.mkdirSync(dir);
      fs.writeFileSync(file, 'abc');
    });
    expect(back!.attr!.isFile()).toBe(true);
    expect(back!.prev).toBeNull();
    expect(back!.ms).toBeLessThan(LONG_BEFORE_THE_POLL_MS);
    w.stop();
  });

  it('a watched directory fires when an entry is added', () => {
    const loop = fresh();
    const dir = tmp();
    const w = new Stat(loop, dir);
    const seen = nextChange(loop, w, () => fs.mkdirSync(path.join(dir, 'child')));
    expect(seen!.attr!.isDirectory()).toBe(true);
    expect(seen!.attr!.nlink).toBe(seen!.prev!.nlink + 1);
    w.stop();
  });

  it('a symbolic link is watched itself (lstat), not followed', () => {
    const loop = fresh();
    const dir = tmp();
    const target = path.join(dir, 'target');
    const link = path.join(dir, 'link');
    fs.writeFileSync(target, 'x');
    fs.symlinkSync(target, link);
    const w = new Stat(loop, link);
    w.start(() => {});
    expect(w.attr!.isSymbolicLink()).toBe(true);
    const target2 = path.join(dir, 'other-target');
    const seen = nextChange(loop, w, () => {
      fs.symlinkSync(target2, `${link}.new`);
      fs.renameSync(`${link}.new`, link); // replaced in one step
    });
    expect(seen!.attr!.isSymbolicLink()).toBe(true);
    expect(seen!.attr!.size).toBe(target2.length);
    w.stop();
  });

  it('nothing fires without a change', () => {
    const { loop, w } = watched();
    const seen = nextChange(loop, w, () => {}, 0, 0.2);
    expect(seen).toBeNull();
    w.stop();
  });

  it('several watchers on one path all fire, by priority; stopping one keeps the others working', () => {
    const loop = fresh();
    const file = path.join(tmp(), 'shared');
    fs.writeFileSync(file, '');
    const order: number[] = [];
    const ws = [-2, 2, 0].map((priority) => new Stat(loop, file, 0, { priority }).start(() => order.push(priority)));
    const guard = new Timer(loop, 3, 0, { ref: false }).start(() => loop.break());
    const last = ws[0]!;
    last.callback = () => {
      order.push(-2);
      loop.break();
    };
    fs.appendFileSync(file, 'a');
    loop.run();
    expect(order).toEqual([2, 0, -2]);
    ws[1]!.stop(); // shares the inotify watch with the others
    order.length = 0;
    fs.appendFileSync(file, 'b');
    loop.run();
    expect(order).toEqual([0, -2]);
    guard.close();
    for (const w of ws) w.stop();
  });

  it('stop() clears a pending change; start() again reads the attributes afresh', () => {
    const { loop, file, w } = watched();
    let calls = 0;
    w.start(() => calls++);
    fs.appendFileSync(file, '!');
    w.stop();
    loop.run({ nowait: true });
    expect(calls).toBe(0);
    w.start(() => calls++);
    expect(w.attr!.size).toBe(6);
    loop.run({ nowait: true });
    expect(calls).toBe(0);
    w.stop();
  });

  it.each([
    ['CUSTOM', CUSTOM],
    // the back-up poll is an ev_timer: a fed TIMER must not be taken for its expiry
    ['TIMER', TIMER],
  ])('feed(%s) delivers to the callback', (_name, revents) => {
    const { loop, w } = watched();
    let got = 0;
    w.start(() => got++);
    w.feed(revents);
    loop.run({ nowait: true });
    expect(got).toBe(1);
    w.stop();
  });
});

describe.skipIf(!fs.existsSync('/dev/shm'))('on tmpfs (/dev/shm)', () => {
  const fresh = useFreshLoop();
  const tmp = useTempDir('/dev/shm');

  it('write, rename-over and unlink are seen at once, with no polling', () => {
    const loop = fresh();
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(file, 'one');
    const w = new Stat(loop, file);
    const wrote = nextChange(loop, w, () => fs.appendFileSync(file, '!'));
    expect(w.usesInotify).toBe(true);
    expect(w.pollInterval).toBe(0);
    expect(wrote!.attr!.size).toBe(4);
    const renamed = nextChange(loop, w, () => {
      fs.writeFileSync(`${file}.n`, 'two!!');
      fs.renameSync(`${file}.n`, file);
    });
    expect(renamed!.attr!.size).toBe(5);
    const gone = nextChange(loop, w, () => fs.unlinkSync(file));
    expect(gone!.attr).toBeNull();
    // No poll at all (pollInterval 0): every change seen, before nextChange()'s
    // 3 s guard, came from inotify. How fast depends on the machine.
    for (const seen of [wrote, renamed, gone]) expect(seen).not.toBeNull();
    w.stop();
  });
});

describe('stat() and attributes', () => {
  const fresh = useFreshLoop();
  const tmp = useTempDir();

  it('stat() reads now, before any start, and fires nothing', () => {
    const loop = fresh();
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(file, 'abc');
    const w = new Stat(loop, file);
    expect(w.attr).toBeNull();
    const st = w.stat();
    expect(st).toBeInstanceOf(FileStats);
    const ref = fs.lstatSync(file, { bigint: true });
    expect(st!.size).toBe(3);
    expect(st!.ino).toBe(Number(ref.ino));
    expect(st!.mtimeNs).toBe(ref.mtimeNs);
    expect(st!.ctimeNs).toBe(ref.ctimeNs);
    expect(st!.mode).toBe(Number(ref.mode));
    expect(st!.nlink).toBe(1);
    expect(st!.uid).toBe(Number(ref.uid));
    expect(st!.isFile()).toBe(true);
    expect(st!.isDirectory()).toBe(false);
    expect(st!.mtime.getTime()).toBe(Math.floor(Number(ref.mtimeNs / 1_000_000n)));
    expect(w.prev).toBeNull();
    w.close();
  });

  it('stat() while active refreshes attr: the change is then not reported', () => {
    const loop = fresh();
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(file, 'abc');
    let calls = 0;
    const w = new Stat(loop, file, 0.2, {}).start(() => calls++);
    // stat() makes attr current before the loop reads the inotify event, which
    // then compares equal (libev's ev_stat_stat does the same)
    fs.appendFileSync(file, 'd');
    expect(w.stat()!.size).toBe(4);
    loop.run({ nowait: true });
    expect(calls).toBe(0);
    w.stop();
  });

  it('a missing path: attr null after start and after stat()', () => {
    const loop = fresh();
    const w = new Stat(loop, path.join(tmp(), 'nope')).start(() => {});
    expect(w.attr).toBeNull();
    expect(w.stat()).toBeNull();
    w.stop();
  });

  it('Buffer and file: URL paths', () => {
    const loop = fresh();
    const file = path.join(tmp(), 'é.txt');
    fs.writeFileSync(file, 'u');
    const byBuffer = new Stat(loop, Buffer.from(file));
    expect(Buffer.isBuffer(byBuffer.path)).toBe(true);
    expect(byBuffer.path.toString()).toBe(file);
    expect(byBuffer.stat()!.size).toBe(1);
    const byUrl = new Stat(loop, pathToFileURL(file));
    expect(byUrl.path).toBe(file);
    expect(byUrl.stat()!.size).toBe(1);
    byBuffer.close();
    byUrl.close();
  });
});

describe('intervals (libev clamping) and polling', () => {
  const tmp = useTempDir();
  const loops: Loop[] = [];
  afterEach(() => {
    for (const loop of loops.splice(0)) loop.destroy();
  });
  const make = (flags?: string) => {
    const loop = new Loop({ flags });
    loops.push(loop);
    return loop;
  };

  it('0 stays 0 (the default); below 0.1074891 becomes 0.1074891; others stay', () => {
    const loop = make();
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(file, '');
    const values: Array<[number, number]> = [
      [0, 0],
      [0.01, MIN_INTERVAL],
      [0.1, MIN_INTERVAL],
      [0.2, 0.2],
      [7, 7],
    ];
    for (const [given, after] of values) {
      const w = new Stat(loop, file, given);
      expect(w.interval).toBe(given);
      w.start(() => {});
      expect(w.interval).toBe(after);
      w.stop();
      expect(w.interval).toBe(after);
      w.close();
    }
  });

  it('with inotify on a local file system nothing is polled; a missing path is polled as a fallback', () => {
    const loop = make();
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(file, '');
    const w = new Stat(loop, file, 0.3).start(() => {});
    expect(w.usesInotify).toBe(true);
    expect(w.pollInterval).toBe(0);
    const missing = new Stat(loop, `${file}.missing`).start(() => {});
    expect(missing.usesInotify).toBe(true);
    expect(missing.pollInterval).toBe(DEFAULT_INTERVAL);
    w.stop();
    expect(w.pollInterval).toBe(0);
    missing.close();
    w.close();
  });

  it('with inotify on a file system it may miss (procfs), it also polls: interval, default 30.1074891 s', () => {
    const loop = make();
    const a = new Stat(loop, '/proc/self').start(() => {});
    const b = new Stat(loop, '/proc/self', 0.5).start(() => {});
    expect(a.usesInotify).toBe(true);
    expect(a.pollInterval).toBe(30.1074891);
    expect(b.pollInterval).toBe(0.5);
    a.close();
    b.close();
  });

  it('inotify with back-up polling: a change inotify cannot see arrives at the next poll (±50 %)', () => {
    const loop = make();
    const fd = fs.openSync(path.join(tmp(), 'held'), 'w');
    const link = `/proc/self/fd/${fd}`; // on procfs: inotify reports nothing when it goes away
    const w = new Stat(loop, link, 0.4);
    const { order, seen } = pollOrder(loop, w, [() => fs.closeSync(fd)]);
    expect(w.usesInotify).toBe(true);
    expect(w.pollInterval).toBeGreaterThan(0);
    // after a timer at half the interval, before one at one and a half
    expect(order).toEqual(['early0', 'change0']);
    expect(seen[0]!.attr).toBeNull();
    expect(seen[0]!.prev!.isSymbolicLink()).toBe(true);
    w.stop();
  });

  it('FLAG_NOINOTIFY polls every interval (default 5.0074891 s)', () => {
    const loop = make('noinotify');
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(file, '');
    const a = new Stat(loop, file).start(() => {});
    const b = new Stat(loop, file, 0.05).start(() => {});
    expect(a.usesInotify).toBe(false);
    expect(a.pollInterval).toBe(DEFAULT_INTERVAL);
    expect(b.pollInterval).toBe(MIN_INTERVAL);
    a.close();
    b.close();
  });

  it('FLAG_NOINOTIFY: changes are seen at the next poll, the interval honoured within ±50%', () => {
    const loop = make('noinotify');
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(file, 'x');
    const w = new Stat(loop, file, 0.4);
    // Started, then changed at once: seen at the first poll, after a timer at
    // half the interval and before one at one and a half. Changed right after
    // that poll: seen at the next one, not in the next iteration.
    const { order, seen } = pollOrder(loop, w, [() => fs.appendFileSync(file, 'y'), () => fs.appendFileSync(file, 'z')]);
    expect(order).toEqual(['early0', 'change0', 'early1', 'change1']);
    expect(seen.map((s) => s.attr!.size)).toEqual([2, 3]);
    w.stop();
  });

  it('inotify: a change is seen at once, whatever the interval', () => {
    const loop = make();
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(file, 'x');
    const w = new Stat(loop, file, 2);
    const seen = nextChange(loop, w, () => fs.appendFileSync(file, 'y'));
    expect(seen).not.toBeNull();
    expect(seen!.ms).toBeLessThan(1000); // half the 2 s interval: not the poll
    w.stop();
  });

  it('FLAG_NOINOTIFY: create, chmod, rename-over, unlink are all seen by polling', () => {
    const loop = make('noinotify');
    const file = path.join(tmp(), 'f');
    const w = new Stat(loop, file, 0.11);
    const created = nextChange(loop, w, () => fs.writeFileSync(file, 'one'));
    expect(created!.prev).toBeNull();
    const chmod = nextChange(loop, w, () => fs.chmodSync(file, 0o600));
    expect(chmod!.attr!.mode & 0o777).toBe(0o600);
    const renamed = nextChange(loop, w, () => {
      fs.writeFileSync(`${file}.new`, 'three');
      fs.renameSync(`${file}.new`, file);
    });
    expect(renamed!.attr!.size).toBe(5);
    const gone = nextChange(loop, w, () => fs.unlinkSync(file));
    expect(gone!.attr).toBeNull();
    w.stop();
  });
});

describe('attached loops', () => {
  const tmp = useTempDir();
  const loops: Loop[] = [];
  afterEach(() => {
    for (const loop of loops.splice(0)) loop.destroy();
  });

  it('write, same-size rewrite, chmod, rename-over, unlink, create: each delivered once', async () => {
    const loop = new Loop().attach();
    loops.push(loop);
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(file, 'abcd');
    const w = new Stat(loop, file);
    const steps: Array<[string, () => void, (s: NonNullable<Awaited<ReturnType<typeof nextChangeAsync>>>) => void]> = [
      ['append', () => fs.appendFileSync(file, 'e'), (s) => expect(s.attr!.size).toBe(5)],
      ['rewrite', () => rewriteInPlace(file, 'ABCDE'), (s) => expect(s.attr!.mtimeNs).not.toBe(s.prev!.mtimeNs)],
      ['chmod', () => fs.chmodSync(file, 0o600), (s) => expect(s.attr!.mode & 0o777).toBe(0o600)],
      [
        'rename-over',
        () => {
          fs.writeFileSync(`${file}.n`, 'xy');
          fs.renameSync(`${file}.n`, file);
        },
        (s) => expect(s.attr!.size).toBe(2),
      ],
      ['unlink', () => fs.unlinkSync(file), (s) => expect(s.attr).toBeNull()],
      ['create', () => fs.writeFileSync(file, 'new'), (s) => expect(s.prev).toBeNull()],
    ];
    for (const [name, action, check] of steps) {
      const seen = await nextChangeAsync(w, action);
      expect(seen, name).not.toBeNull();
      check(seen!);
      expect(seen!.ms, name).toBeLessThan(LONG_BEFORE_THE_POLL_MS);
    }
    // attributes read outside a callback (under the loop lock)
    expect(w.attr!.size).toBe(3);
    w.stop();
  });

  it('FLAG_NOINOTIFY polling on an attached loop honours the interval', async () => {
    const loop = new Loop({ flags: 'noinotify' }).attach();
    loops.push(loop);
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(file, 'a');
    const w = new Stat(loop, file, 0.4);
    const { order, seen } = await pollOrder(loop, w, [() => fs.appendFileSync(file, 'b'), () => fs.appendFileSync(file, 'c')], true);
    expect(order).toEqual(['early0', 'change0', 'early1', 'change1']); // see the blocking test
    expect(seen.map((s) => s.attr!.size)).toEqual([2, 3]);
    w.stop();
  });

  it("runAsync() is not held open by an unref'd stat watcher", async () => {
    const loop = new Loop().attach();
    loops.push(loop);
    const w = new Stat(loop, tmp(), 0, { ref: false }).start(() => {});
    expect(loop.refCount).toBe(0);
    await loop.runAsync();
    expect(w.active).toBe(true);
    w.stop();
  });
});

describe('lifetime and errors', () => {
  const tmp = useTempDir();

  it("an unref'd stat watcher does not keep run() alive", () => {
    const loop = new Loop();
    try {
      const w = new Stat(loop, tmp(), 0.2, { ref: false }).start(() => {});
      // Kept alive, run() would never return (nothing changes the directory).
      expect(loop.run()).toBe(true);
      expect([w.active, w.hasRef()]).toEqual([true, false]);
    } finally {
      loop.destroy();
    }
  });

  it('destroying the loop closes its inotify fd; so does stopping the last Stat', () => {
    const fds = () => fs.readdirSync('/proc/self/fd').length;
    const before = fds();
    const loop = new Loop();
    const base = fds(); // the loop's own epoll fd and eventfd
    const dir = tmp();
    const ws = [new Stat(loop, dir), new Stat(loop, path.join(dir, 'x'))].map((w) => w.start(() => {}));
    expect(fds()).toBe(base + 1); // one inotify instance for the loop
    for (const w of ws) w.stop();
    expect(fds()).toBe(base);
    ws[0]!.start(() => {});
    expect(fds()).toBe(base + 1);
    loop.destroy();
    expect(fds()).toBe(before);
    expect(ws[0]!.closed).toBe(true);
  });

  it('a destroyed loop: LoopDestroyedError; a closed watcher: WatcherClosedError', () => {
    const loop = new Loop();
    const w = new Stat(loop, tmp());
    w.close();
    expect(() => w.stat()).toThrow(WatcherClosedError);
    expect(() => w.start(() => {})).toThrow(WatcherClosedError);
    const v = new Stat(loop, tmp());
    loop.destroy();
    expect(() => v.stat()).toThrow(LoopDestroyedError);
    expect(() => new Stat(loop, tmp())).toThrow(LoopDestroyedError);
  });

  it('bad input: typed errors naming the argument, never a crash', () => {
    const loop = new Loop();
    const ok = tmp();
    const cases: Array<[unknown[], ErrorConstructor, RegExp]> = [
      [[undefined], TypeError, /path/],
      [[null], TypeError, /path/],
      [[42], TypeError, /path/],
      [[{}], TypeError, /path/],
      [[['a']], TypeError, /path/],
      [[''], RangeError, /path must not be empty/],
      [[Buffer.alloc(0)], RangeError, /path must not be empty/],
      [['a\0b'], RangeError, /NUL/],
      [[Buffer.from([0x61, 0, 0x62])], RangeError, /NUL/],
      [[new URL('http://example.com/x')], TypeError, /file: URL/],
      [[new URL('file://remotehost/x')], TypeError, /host/],
      [[ok, '1'], TypeError, /interval/],
      [[ok, null], TypeError, /interval/],
      [[ok, 1n], TypeError, /interval/],
      [[ok, Number.NaN], RangeError, /interval/],
      [[ok, Infinity], RangeError, /interval/],
      [[ok, -1], RangeError, /interval/],
      [[ok, -0.001], RangeError, /interval/],
      [[ok, 0, 5], TypeError, /options/],
      [[ok, 0, { priority: 9 }], RangeError, /priority/],
      [[ok, 0, { ref: 1 }], TypeError, /options\.ref/],
    ];
    for (const [args, type, message] of cases) {
      const make = () => new (Stat as unknown as new (...a: unknown[]) => Stat)(loop, ...args);
      expect(make, String(args[0])).toThrow(type);
      expect(make, String(args[0])).toThrow(message);
    }
    expect(() => new Stat({} as Loop, ok)).toThrow(/loop/);
    const w = new Stat(loop, ok);
    expect(() => w.start(5 as never)).toThrow(TypeError);
    w.close();
    expect(loop.activeCount).toBe(0);
    loop.destroy();
  });
});
