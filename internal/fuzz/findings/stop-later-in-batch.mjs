// Fixed in 4d8e10a. A callback of a blocking run stops watchers of its own
// batch that wait behind the runCallback drain (lower priority, same phase):
// the stop freed their native halves while the batch still held them, and
// the rest of the batch read freed memory. Under valgrind: "Invalid read" in
// LoopCore::DeliverRun; with some allocation patterns a segfault. The
// fuzzer saw it as a SIGSEGV of its long-lived child (seeds 11 and 12).
import { Loop } from '@evkit/loop';
import { Prepare } from '@evkit/prepare-check';

let ran = 0;
for (let round = 0; round < 500; round++) {
  const loop = new Loop();
  const later = Array.from({ length: 5 }, () => new Prepare(loop, { priority: -2 }).start(() => ran++));
  new Prepare(loop, { priority: 2 }).start(function () {
    for (const w of later) w.stop();
    this.stop();
  });
  loop.runCallback(() => {});
  loop.run({ nowait: true });
  loop.destroy();
}
console.log(ran === 0 ? 'ok:' : 'BUG:', `stopped watchers ran ${ran} times`);
