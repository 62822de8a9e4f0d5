// Observation (libev internals leaking through): api.md says an Idle runs
// "when nothing else is pending". In the first iteration after loop.reinit(),
// after an Async send() (also to a stopped Async) or after inotify activity
// of a Stat, an active Idle does not run although no user watcher is
// pending: libev's internal pipe watcher / evkit's inotify io (both at
// MAXPRI) are pending in that iteration. The fuzzer's model allows it
// (idles are optional there); listed in case it is not intended.
import { Loop } from '@evkit/loop';
import { Async } from '@evkit/async';
import { Idle } from '@evkit/prepare-check';

for (const cause of ['none', 'reinit', 'async send to a stopped Async']) {
  const loop = new Loop();
  let runs = 0;
  new Idle(loop).start(() => runs++);
  const async = new Async(loop);
  if (cause === 'reinit') loop.reinit();
  if (cause.startsWith('async')) async.send();
  loop.run({ nowait: true });
  console.log(`${cause}: idle ran ${runs}x in one run({nowait})`);
  loop.destroy();
}
