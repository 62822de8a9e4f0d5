// api.md: an exception thrown by a callback goes to loop.errorHandler; with no
// handler, "an attached loop reports each one like any Node callback error
// ('uncaughtException')", and a blocking run() rethrows the errors of its own
// batch. A callback delivered by the attached loop that calls loop.detach()
// (allowed since detach-anywhere) and then throws: the error is reported
// nowhere at that point. It is held back and rethrown by the next run() on
// that loop (however much later, whatever that run does), and is lost without
// a trace if the loop is destroyed first.
import { Loop } from '@evkit/loop';

const wait = (ms) => new Promise((r) => setTimeout(r, ms));
const uncaught = [];
process.on('uncaughtException', (e) => uncaught.push(e.message));

for (const next of ['run', 'destroy']) {
  uncaught.length = 0;
  const loop = new Loop();
  loop.attach();
  loop.runCallback(() => {
    loop.detach();
    throw new Error('boom');
  });
  await wait(200);
  const reported = uncaught.length;
  let thrown = null;
  try {
    if (next === 'run') loop.run({ nowait: true });
    else loop.destroy();
  } catch (e) {
    thrown = e.message;
  }
  console.log(`${reported === 1 ? 'ok ' : 'BUG'}: uncaughtException ${reported}x after the delivery (expected 1); then ${next}() threw: ${thrown}`);
  if (!loop.destroyed) loop.destroy();
}
{
  const loop = new Loop();
  let handled = 0;
  loop.errorHandler = () => handled++;
  loop.attach();
  loop.runCallback(() => {
    loop.detach();
    throw new Error('boom');
  });
  await wait(200);
  console.log(`with an errorHandler: called ${handled}x (expected 1)`);
  loop.destroy();
}
