// Compiled, never run (test/types.test.ts): what start() infers for a user
// under `strict`. Each @ts-expect-error must be an error, or tsc fails.
import { Loop } from '@evkit/loop';
import { Io } from '@evkit/io';

const loop = new Loop();

// `this` is the watcher in a function callback
new Io(loop, 0, 'r').start(function () {
  const fd: number = this.fd;
  this.stop();
  return fd;
});

// argument types come from start()'s args
new Io(loop, 0, 'r').start(
  (count, label) => {
    const n: number = count;
    const s: string = label;
    return [n, s];
  },
  1,
  'one',
);
// @ts-expect-error a callback that wants an argument start() does not pass
new Io(loop, 0, 'r').start((count: number) => count);

// passEvents: true puts revents first, typed, with `this` still the watcher
new Io(loop, 0, 'r', { passEvents: true }).start(function (revents, label) {
  const r: number = revents;
  const s: string = label;
  this.stop();
  return [r, s];
}, 'x');
// @ts-expect-error with passEvents the first parameter is revents, not the first arg
new Io(loop, 0, 'r', { passEvents: true }).start((label: string) => label, 'x');

// an explicitly typed watcher keeps its declared args
const typed = new Io<[number]>(loop, 0, 'r');
typed.start((n) => n + 1, 2);
// @ts-expect-error a string where the watcher was declared with a number
typed.start((n) => n, 'two');
