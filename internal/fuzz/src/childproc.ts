// A handle on one child process: send a sequence, get its result, or learn
// that the child crashed (abort) or hung (timeout).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromChild, ToChild } from './child.js';
import type { Sequence } from './ops.js';
import { encodeSwitches, type Switches } from './switches.js';

export type Outcome =
  | { kind: 'ok'; ops: number; ms: number }
  | { kind: 'diverged'; message: string; at: string; ops: number }
  | { kind: 'crashed'; message: string }
  | { kind: 'hung'; message: string };

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

export class ChildProc {
  private proc: ChildProcess;
  private ready: Promise<void>;
  private nextId = 0;
  private waiting: ((m: FromChild | { type: 'exit'; desc: string }) => void) | null = null;
  private stderr = '';
  dead = false;

  constructor(private readonly switches: Switches) {
    const trace = process.env.FUZZ_TRACE === '1';
    this.proc = fork(CHILD, [], { stdio: ['ignore', 'ignore', trace ? 'inherit' : 'pipe', 'ipc'], serialization: 'json' });
    this.proc.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.ready = new Promise((resolve, reject) => {
      const onMsg = (m: FromChild): void => {
        if (m.type === 'ready') {
          this.proc.off('message', onMsg);
          resolve();
        }
      };
      this.proc.on('message', onMsg);
      this.proc.once('exit', (code, sig) => reject(new Error(`child exited before ready (${code ?? sig}): ${this.stderr}`)));
    });
    this.ready.catch(() => undefined);
    this.proc.on('message', (m: FromChild) => {
      if (m.type === 'result' && this.waiting) this.waiting(m);
    });
    this.proc.on('exit', (code, sig) => {
      this.dead = true;
      this.waiting?.({ type: 'exit', desc: `child exited (${sig ?? `code ${code}`})` });
    });
  }

  async run(seq: Sequence, timeoutMs: number): Promise<Outcome> {
    await this.ready;
    if (this.dead) return { kind: 'crashed', message: 'child already dead' };
    const id = this.nextId++;
    const msg: ToChild = { type: 'run', id, seq, switches: encodeSwitches(this.switches) };
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        this.kill();
        resolve({ kind: 'hung', message: `no result within ${timeoutMs} ms` });
      }, timeoutMs);
      this.waiting = (m) => {
        clearTimeout(timer);
        this.waiting = null;
        if (m.type === 'exit') resolve({ kind: 'crashed', message: `${m.desc}${this.stderr ? `\n--- child stderr ---\n${this.stderr.trim()}` : ''}` });
        else if (m.type === 'result') {
          resolve(m.ok ? { kind: 'ok', ops: m.ops, ms: m.ms } : { kind: 'diverged', message: m.divergence ?? '?', at: m.at ?? '?', ops: m.ops });
        }
      };
      this.proc.send(msg);
    });
  }

  kill(): void {
    if (!this.dead) this.proc.kill('SIGKILL');
    this.dead = true;
  }

  close(): void {
    if (!this.dead) this.proc.disconnect();
  }
}
