// api.md: on an attached loop "promises and process.nextTick settle between
// callbacks". A promise continuation queued by a callback is therefore not
// inside the callback, yet detach() there throws ERR_EVKIT_IN_CALLBACK.
import { Loop } from '@evkit/loop';

const loop = new Loop();
loop.attach();
await new Promise((resolve) => {
  loop.runCallback(() => {
    Promise.resolve().then(() => {
      try {
        loop.detach();
        console.log('ok: detached from a promise continuation');
      } catch (e) {
        console.log(`BUG? detach() in a promise continuation threw ${e.constructor.name} ${e.code}`);
      }
      resolve();
    });
  });
});
loop.destroy();
