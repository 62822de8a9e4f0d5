// feed(revents) makes a watcher pending; its callback runs with those revents.
// A Stat fed EV_TIMER (0x100) never runs its callback: evkit's Stat reads a
// fed EV_TIMER as its own back-up poll timer expiring. Other values work.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Loop, TIMER } from '@evkit/loop';
import { Stat } from '@evkit/stat';

const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'evkit-')), 'f');
fs.writeFileSync(file, '');
const loop = new Loop();
let calls = 0;
const stat = new Stat(loop, file).start(() => calls++);
stat.feed(TIMER);
console.log('pending after feed:', stat.pending);
loop.run({ nowait: true });
console.log(calls === 1 ? 'ok' : 'BUG', `: callback ran ${calls}x for feed(TIMER)`);
loop.destroy();
