// Shared pieces of the Stat tests: temporary directories and waiting for a
// watcher's next callback in blocking and attached mode.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { Loop } from '@evkit/loop';
import { Stat, type FileStats } from '@evkit/stat';
import { Timer } from '@evkit/timer';

/** A fresh temporary directory per test, removed afterwards. */
export function useTempDir(base = os.tmpdir()): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = fs.mkdtempSync(path.join(base, 'evkit-stat-'));
    dirs.push(dir);
    return dir;
  };
}

export interface Seen {
  /** Milliseconds from the action to the callback. */
  ms: number;
  attr: FileStats | null;
  prev: FileStats | null;
}

/**
 * Blocking mode: performs `action` (right away, or from a timer after
 * `delay` seconds) and runs the loop until the watcher's callback, or
 * `timeout` seconds. Returns what the callback saw, or null.
 */
export function nextChange(loop: Loop, stat: Stat, action: () => void, delay = 0, timeout = 3): Seen | null {
  let seen: Seen | null = null;
  let t0 = performance.now();
  const wasActive = stat.active;
  const cb = function (this: Stat) {
    if (seen !== null) return;
    seen = { ms: performance.now() - t0, attr: this.attr, prev: this.prev };
    loop.break();
  };
  if (wasActive) stat.callback = cb;
  else stat.start(cb);
  const act = () => {
    t0 = performance.now();
    action();
  };
  const actor = delay > 0 ? new Timer(loop, delay).start(act) : null;
  if (actor === null) act();
  const guard = new Timer(loop, timeout, 0, { ref: false }).start(() => loop.break());
  const keep = new Timer(loop, timeout + 1).start(() => {}); // keeps run() going while only the guard waits
  loop.run();
  guard.close();
  keep.close();
  actor?.close();
  return seen;
}

/** Attached mode: resolves with what the next callback saw, or null after `timeout` seconds. */
export function nextChangeAsync(stat: Stat, action: () => void, timeout = 3): Promise<Seen | null> {
  return new Promise((resolve) => {
    let t0 = 0;
    const timer = setTimeout(() => resolve(null), timeout * 1000);
    const cb = function (this: Stat) {
      clearTimeout(timer);
      resolve({ ms: performance.now() - t0, attr: this.attr, prev: this.prev });
    };
    if (stat.active) stat.callback = cb;
    else stat.start(cb);
    t0 = performance.now();
    action();
  });
}

/**
 * Overwrites the start of a file with one write(2), without truncating it:
 * a same-size rewrite is then one change (writeFileSync truncates first, and an
 * instant watcher may see the empty file in between).
 */
export function rewriteInPlace(file: string, content: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, content, 0);
  } finally {
    fs.closeSync(fd);
  }
}

/** Waits until the wall clock is just past a whole second (for same-second rewrites). */
export function atSecondStart(): void {
  const ms = Date.now() % 1000;
  if (ms > 700) {
    const end = Date.now() + (1000 - ms) + 5;
    while (Date.now() < end) {
      // spin: a few hundred ms at most
    }
  }
}

export interface PollOrder {
  /** What fired, in order: `early<k>`, `change<k>` and, only if a change came too late, `late<k>`. */
  order: string[];
  seen: Array<{ attr: FileStats | null; prev: FileStats | null }>;
}

/**
 * Polling checked against the loop's own timers instead of the wall clock
 * (a busy machine delays all of them alike). For each action k, reference
 * timers are started in the same callback as the action, so they count from
 * the same loop time as the poll: `early<k>` at half the interval (for k > 0,
 * where the action comes right after a poll, at 0: the change must wait for
 * the next poll, not be seen in the next iteration) and `late<k>` at one and
 * a half intervals. A poll that honours the interval gives
 * early0, change0, early1, change1, ... and no late. Starts `stat` itself; on
 * an attached loop the result is a promise.
 */
export function pollOrder(loop: Loop, stat: Stat, actions: Array<() => void>, attached: true): Promise<PollOrder>;
export function pollOrder(loop: Loop, stat: Stat, actions: Array<() => void>, attached?: false): PollOrder;
export function pollOrder(loop: Loop, stat: Stat, actions: Array<() => void>, attached = false): PollOrder | Promise<PollOrder> {
  const result: PollOrder = { order: [], seen: [] };
  const interval = stat.interval;
  const timers: Timer[] = [];
  let phase = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const end = () => {
    for (const timer of timers) timer.close();
    if (!attached) loop.break();
    finish();
  };
  // Runs inside a callback: the timers and the action share its cached time.
  const arm = () => {
    const k = phase;
    timers.push(new Timer(loop, k === 0 ? interval / 2 : 0).start(() => result.order.push(`early${k}`)));
    timers.push(
      new Timer(loop, interval * 1.5).start(() => {
        result.order.push(`late${k}`);
        end();
      }),
    );
    actions[k]!();
  };
  const starter = new Timer(loop, 0).start(() => {
    starter.close();
    stat.start(function (this: Stat) {
      result.order.push(`change${phase}`);
      result.seen.push({ attr: this.attr, prev: this.prev });
      for (const timer of timers.splice(0)) timer.close(); // the late one did not fire: in time
      if (++phase === actions.length) end();
      else arm();
    });
    arm();
  });
  if (attached) return finished.then(() => result);
  loop.run();
  return result;
}
