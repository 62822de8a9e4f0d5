// Exercises @evkit/stat's native paths for the memory checker: inotify and
// polling, blocking and attached loops, missing paths (ancestor watches),
// rename-over, directory removal, shared inotify watches, stop/close/destroy
// from inside callbacks, destroy with active watchers, GC, and a worker.
// Prints "memcheck smoke ok".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker, isMainThread } from 'node:worker_threads';
import { setImmediate as tick } from 'node:timers/promises';
import { Loop } from '@evkit/loop';
import { Stat } from '@evkit/stat';
import { Timer } from '@evkit/timer';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'evkit-stat-smoke-'));
let seq = 0;
const fresh = () => {
  const dir = path.join(root, `d${seq++}`);
  fs.mkdirSync(dir);
  return dir;
};

function check(cond, what) {
  if (!cond) throw new Error(`smoke: ${what}`);
}

// Runs `action`, then the loop until `stat` fired (or 3 s).
function change(loop, stat, action) {
  let fired = false;
  stat.callback = function () {
    fired = true;
    void this.attr;
    void this.prev;
    loop.break();
  };
  action();
  const guard = new Timer(loop, 3).start(() => loop.break());
  loop.run();
  guard.close();
  return fired;
}

function blocking(flags) {
  const loop = new Loop({ flags });
  const dir = fresh();
  const file = path.join(dir, 'f');
  const w = new Stat(loop, file, 0.11).start(() => {});
  const twin = new Stat(loop, Buffer.from(file), 0, { priority: 1 }).start(() => {});
  check(change(loop, w, () => fs.writeFileSync(file, 'one')), `${flags} create`);
  check(change(loop, w, () => fs.appendFileSync(file, 'two')), `${flags} append`);
  twin.close();
  check(change(loop, w, () => fs.chmodSync(file, 0o600)), `${flags} chmod`);
  check(change(loop, w, () => {
    fs.writeFileSync(`${file}.n`, 'new');
    fs.renameSync(`${file}.n`, file);
  }), `${flags} rename-over`);
  check(change(loop, w, () => fs.rmSync(dir, { recursive: true })), `${flags} dir removed`);
  check(change(loop, w, () => {
    fs.mkdirSync(dir);
    fs.writeFileSync(file, 'back');
  }), `${flags} re-created`);
  w.stat();
  w.stop();
  w.start(() => {});
  w.feed(0x1000000);
  loop.run({ nowait: true });
  // stop and close from inside the callback; destroy with watchers active
  const a = new Stat(loop, file, 0.11).start(function () {
    this.close();
    loop.break();
  });
  let closedInside = false;
  a.callback = function () {
    this.close();
    closedInside = true;
    loop.break();
  };
  fs.appendFileSync(file, '!');
  const guard = new Timer(loop, 3).start(() => loop.break());
  loop.run();
  guard.close();
  check(closedInside, `${flags} close inside callback`);
  new Stat(loop, path.join(dir, 'x', 'y', 'z')).start(() => {});
  loop.destroy();
  check(a.closed && w.closed, 'destroyed');
}

async function attached() {
  const loop = new Loop().attach();
  const dir = fresh();
  const file = path.join(dir, 'f');
  fs.writeFileSync(file, '');
  let n = 0;
  const w = new Stat(loop, file).start(() => n++);
  for (let i = 0; i < 5; i++) {
    fs.appendFileSync(file, 'x');
    const until = n + 1;
    while (n < until) await new Promise((r) => setTimeout(r, 2));
    void w.attr;
  }
  // destroy from inside a callback
  await new Promise((resolve) => {
    w.callback = () => {
      loop.destroy();
      resolve();
    };
    fs.appendFileSync(file, 'y');
  });
  const p = new Loop({ flags: 'noinotify' }).attach();
  const polled = new Stat(p, file, 0.11).start(() => {});
  await new Promise((resolve) => {
    polled.callback = resolve;
    fs.appendFileSync(file, 'z');
  });
  p.destroy();
  new Stat(Loop.default, file, 0, { ref: false }).start(() => {});
}

function garbage() {
  const loop = new Loop();
  const dir = fresh();
  for (let i = 0; i < 50; i++) new Stat(loop, path.join(dir, `g${i}`)).start(() => {}).stop();
  new Stat(loop, dir).start(() => {}); // dropped while active: freed with the loop
  loop.destroy();
}

blocking(undefined);
blocking('noinotify');
await attached();
garbage();
for (let i = 0; i < 4; i++) {
  globalThis.gc?.();
  await tick();
}

if (isMainThread) {
  await new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url));
    worker.on('error', reject);
    worker.on('exit', resolve);
  });
  fs.rmSync(root, { recursive: true, force: true });
  console.log('memcheck smoke ok');
} else {
  fs.rmSync(root, { recursive: true, force: true });
}
