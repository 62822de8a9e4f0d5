// The real resources a child process lends to sequences: the evkit packages,
// FIFOs (pipes) for Io watchers, a file for Stat watchers, signal listeners.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Async } from '@evkit/async';
import { Fork } from '@evkit/fork';
import { Io, closingFd } from '@evkit/io';
import * as loopPkg from '@evkit/loop';
import { Check, Idle, Prepare } from '@evkit/prepare-check';
import { Signal } from '@evkit/signal';
import { Stat } from '@evkit/stat';
import { Periodic, Timer, sleep } from '@evkit/timer';
import { PIPES_PER_SEQUENCE } from './ops.js';

export const evkit = { ...loopPkg, Async, Fork, Io, closingFd, Check, Idle, Prepare, Signal, Stat, Periodic, Timer, sleep };

export interface Pipe {
  r: number;
  w: number;
}

export class World {
  readonly dir: string;
  readonly statFile: string;
  readonly pipes: Pipe[] = [];
  readonly signals = { SIGUSR2: 0, SIGWINCH: 0 };
  uncaught: unknown[] = [];

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evkit-fuzz-'));
    this.statFile = path.join(this.dir, 'stat.txt');
    fs.writeFileSync(this.statFile, '');
    for (let i = 0; i < PIPES_PER_SEQUENCE; i++) {
      const fifo = path.join(this.dir, `fifo${i}`);
      execFileSync('mkfifo', [fifo]);
      const r = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const w = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      this.pipes.push({ r, w });
    }
    // Raised signals must never kill the child, whether or not a watcher is active.
    process.on('SIGUSR2', () => void this.signals.SIGUSR2++);
    process.on('SIGWINCH', () => void this.signals.SIGWINCH++);
    process.on('uncaughtException', (e) => void this.uncaught.push(e));
    process.on('unhandledRejection', (e) => void this.uncaught.push(e));
  }

  write(pipe: number): void {
    fs.writeSync(this.pipes[pipe].w, 'x');
  }

  drain(pipe: number): void {
    const buf = Buffer.alloc(4096);
    for (;;) {
      try {
        if (fs.readSync(this.pipes[pipe].r, buf) <= 0) return;
      } catch {
        return; // EAGAIN: empty
      }
    }
  }

  touch(): void {
    fs.appendFileSync(this.statFile, 'x');
  }

  /** Between sequences: empty pipes, a fresh file. */
  reset(): void {
    for (let i = 0; i < this.pipes.length; i++) this.drain(i);
    fs.writeFileSync(this.statFile, '');
    this.uncaught = [];
  }

  dispose(): void {
    for (const p of this.pipes) {
      fs.closeSync(p.r);
      fs.closeSync(p.w);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
