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
