// Runs one sequence against the real packages and the model in lockstep; the
// first divergence ends the sequence.
import type { Body, Member, Op, Sequence } from './ops.js';
import { countOps } from './gen.js';
import { judge, type Expect } from './expect.js';
import { Model, type MCore } from './model.js';
import type { Switches } from './switches.js';
import { evkit, type World } from './world.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyWatcher = any;
type AnyLoop = any;

interface WRec {
  w: AnyWatcher;
  kind: string;
  body: Body | undefined;
  bodyDone: boolean;
  fn: (...args: unknown[]) => unknown;
}

export interface SequenceResult {
  ok: boolean;
  divergence?: string;
  /** index path of the op that diverged, e.g. "12" or "12>inner3" */
  at?: string;
  ops: number;
}

const PROFILE = process.env.FUZZ_PROFILE === '1';
export const profile = new Map<string, number>();
if (PROFILE) process.on('exit', () => console.error([...profile].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v.toFixed(0)}ms`).join(' ')));

const TRACE = process.env.FUZZ_TRACE === '1';
const trace = (s: string): void => void (TRACE && process.stderr.write(`[trace] ${s}\n`));

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Executor {
  readonly model: Model;
  private loops: AnyLoop[] = [];
  private watchers: WRec[] = [];
  /** The watcher whose invoke() is calling its callback (-1: none). */
  private invoking = -1;
  private invokeBodyThrew = false;
  private cbs: any[] = [];
  private handled: number[] = [];
  private runAsyncs: Array<{ core: number; settled: boolean; checkPrompt: boolean }> = [];
  private divergence: string | null = null;
  private where = '';
  private opCount = 0;

  constructor(private readonly world: World, private readonly sw: Switches) {
    this.model = new Model(sw);
  }

  private diverge(msg: string): void {
    if (this.divergence === null) {
      this.divergence = msg;
      this.where = this.path.join('>');
    }
  }

  private path: string[] = [];

  async run(seq: Sequence): Promise<SequenceResult> {
    try {
      for (let i = 0; i < seq.ops.length && this.divergence === null; i++) {
        this.path = [String(i)];
        const t = PROFILE ? performance.now() : 0;
        await this.topLevel(seq.ops[i]);
        if (PROFILE) profile.set(seq.ops[i].k, (profile.get(seq.ops[i].k) ?? 0) + performance.now() - t);
        if (this.divergence === null) {
          await tick();
          this.checkState();
        }
      }
    } catch (e) {
      this.diverge(`executor failure: ${e instanceof Error ? e.stack : String(e)}`);
    } finally {
      await this.cleanup();
    }
    return this.divergence === null
      ? { ok: true, ops: countOps(seq.ops) }
      : { ok: false, divergence: this.divergence, at: this.where, ops: countOps(seq.ops) };
  }

  private async cleanup(): Promise<void> {
    for (const l of this.loops) {
      try {
        if (!l.destroyed && l.attached && !this.model.inCallbackOf(-1)) l.detach();
      } catch {
        /* reported elsewhere */
      }
    }
    for (const l of this.loops) {
      try {
        l.destroy();
      } catch (e) {
        this.diverge(`destroy() at cleanup threw ${String(e)}`);
      }
    }
    await tick();
    await tick();
  }

  // ------------------------------------------------------------ top level

  private async topLevel(op: Op): Promise<void> {
    switch (op.k) {
      case 'settle':
        this.model.step(op);
        await this.settle();
        return;
      case 'runAsync': {
        const l = this.model.loopIndex(op.loop);
        const before = l >= 0 && !this.model.coreOfLoop(l).destroyed ? this.model.refCount(this.model.coreOfLoop(l)) : -1;
        const wasAttached = l >= 0 && this.model.coreOfLoop(l).attached;
        this.exec(op);
        if (this.divergence === null && l >= 0 && this.lastPromise !== null) {
          this.runAsyncs.push({
            core: this.model.loops[l].core,
            settled: false,
            checkPrompt: !(before === 0 && !wasAttached && this.sw.skip.has('runasync-zero')),
          });
          const rec = this.runAsyncs[this.runAsyncs.length - 1];
          this.lastPromise.then(() => void (rec.settled = true), (e: unknown) => this.diverge(`runAsync() rejected: ${String(e)}`));
        }
        return;
      }
      case 'suspend':
        this.suspendCycle(op);
        return;
      case 'bad':
        if (op.what === 'sleepHuge' || op.what === 'sleepString') {
          await this.badSleep(op);
          return;
        }
        this.exec(op);
        return;
      default:
        this.exec(op);
    }
  }

  private lastPromise: Promise<void> | null = null;

  /** suspend(), the ops in between (the model refuses those on that loop), then resume(). */
  private suspendCycle(op: Extract<Op, { k: 'suspend' }>): void {
    const expect = this.model.step(op);
    if (expect.kind === 'skip') return;
    const loop = this.loopOf(op.loop); // resolved now: ops in between may add watchers, never loops
    let threw = false;
    let error: unknown;
    try {
      loop.suspend();
    } catch (e) {
      threw = true;
      error = e;
    }
    this.judgeOp(op, expect, threw, error);
    if (threw) return;
    try {
      this.execNested(op.during, 's');
    } finally {
      this.model.endSuspension();
      if (!loop.destroyed) {
        try {
          loop.resume();
        } catch (e) {
          this.diverge(`resume() threw ${String(e)}`);
        }
      }
    }
  }

  private async badSleep(op: Extract<Op, { k: 'bad' }>): Promise<void> {
    const expect = this.model.step(op);
    if (expect.kind === 'skip') return;
    const loop = this.loops[this.model.loopIndex(op.loop)];
    let threw = false;
    let error: unknown;
    try {
      await evkit.sleep((op.what === 'sleepHuge' ? 2e10 : 'x') as any, { loop });
    } catch (e) {
      threw = true;
      error = e;
    }
    this.judgeOp(op, expect, threw, error);
  }

  private async settle(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (this.divergence === null) {
      const owed = this.model.obligations();
      if (owed.length === 0) break;
      if (Date.now() > deadline) {
        this.diverge(`attached loop never delivered: ${owed.join(', ')}`);
        return;
      }
      await delay(1);
    }
    await tick();
    await tick();
    if (this.divergence !== null) return;
    this.model.resolveUncertain((id) => this.watchers[id].w.active, (id) => this.watchers[id].w.callback !== null);
    for (const c of this.model.cores) {
      if (!c.attached || c.destroyed || !c.forkMaybe || !this.model.quiescent(c)) continue;
      // two more iterations: the loop thread went through a fork phase since the reinit
      const loop = this.loops[this.ownerOf(c.id)];
      const target = loop.iteration + 2;
      const deadline = Date.now() + 10_000;
      // a continuation that runs meanwhile may detach or destroy it: then there is nothing to wait for
      const stillAttached = (): boolean => c.attached && !c.destroyed;
      // (checked first: reading a destroyed loop's iteration throws)
      while (stillAttached() && loop.iteration < target && Date.now() < deadline) {
        loop.ref(); // a ref()/unref() pair wakes the loop thread and changes no count
        loop.unref();
        await delay(1);
      }
      if (!stillAttached()) continue;
      if (loop.iteration < target) {
        this.diverge(`attached loop core ${c.id} did not iterate (iteration ${loop.iteration}, wanted ${target}; attached=${loop.attached} refCount=${loop.refCount} pendingCount=${loop.pendingCount})`);
        return;
      }
      c.forkMaybe = false;
    }
    const expectedUncaught = this.model.cores.reduce((n, c) => n + c.uncaught, 0);
    if (this.world.uncaught.length !== expectedUncaught) {
      const first = this.world.uncaught[0];
      this.diverge(`expected ${expectedUncaught} uncaughtException(s), got ${this.world.uncaught.length}${first instanceof Error ? `: ${first.message}` : ''}`);
      return;
    }
    // a runAsync() whose loop has nothing left must settle promptly
    const promptDeadline = Date.now() + 3000;
    for (const r of this.runAsyncs) {
      const c = this.model.cores[r.core];
      if (r.settled || !r.checkPrompt || c.destroyed || !c.attached || this.model.refCount(c) !== 0 || !this.model.quiescent(c)) continue;
      while (!r.settled && Date.now() < promptDeadline) await delay(1);
      if (!r.settled) this.diverge(`runAsync() of loop core ${r.core} did not resolve though refCount is 0`);
    }
  }

  // ------------------------------------------------------------ state comparison

  private checkState(): void {
    const m = this.model;
    for (let l = 0; l < m.loops.length && this.divergence === null; l++) {
      const ml = m.loops[l];
      const c = m.cores[ml.core];
      const real = this.loops[l];
      const gone = ml.retired || c.destroyed;
      if (real.destroyed !== gone) {
        this.diverge(`loop ${l}: destroyed=${real.destroyed}, model ${gone}`);
        return;
      }
      if (gone) continue;
      this.compareLoop(l, c, real);
    }
    for (let i = 0; i < m.watchers.length && this.divergence === null; i++) {
      const mw = m.watchers[i];
      const c = m.cores[mw.core];
      const real = this.watchers[i].w;
      if (c.destroyed) {
        if (!this.sw.skip.has('destroyed-members') && real.closed !== true) this.diverge(`w${i}: closed=${real.closed} after loop.destroy()`);
        continue;
      }
      if (real.closed !== mw.closed) {
        this.diverge(`w${i}: closed=${real.closed}, model ${mw.closed}`);
        return;
      }
      if (mw.closed || !m.quiescent(c)) continue;
      // an attached loop's thread may have queued any watcher that can fire: pending is timing
      const got = { active: real.active, pending: c.attached ? '-' : real.pending, hasRef: real.hasRef(), priority: real.priority };
      const want = { active: mw.active, pending: c.attached ? '-' : mw.pending, hasRef: mw.active && mw.keep, priority: mw.prio };
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        this.diverge(`${m.describe(i)} state ${JSON.stringify(got)}, model ${JSON.stringify(want)}`);
      }
    }
  }

  private compareLoop(l: number, c: MCore, real: AnyLoop): void {
    const m = this.model;
    const ml = m.loops[l];
    const viewOk = !ml.view || !this.sw.skip.has('view-props');
    if (viewOk && real.attached !== c.attached) {
      this.diverge(`loop ${l}${ml.view ? ' (view)' : ''}: attached=${real.attached}, model ${c.attached}`);
      return;
    }
    if (viewOk && ml.view && real.backend !== this.loops[this.ownerOf(c.id)].backend) {
      this.diverge(`loop ${l} (view): backend ${real.backend} differs from its loop's`);
      return;
    }
    if (this.handled[c.id] !== c.handled) {
      this.diverge(`loop core ${c.id}: errorHandler called ${this.handled[c.id]} times, model ${c.handled}`);
      return;
    }
    if (!m.quiescent(c)) return;
    const got = { refCount: real.refCount, activeCount: real.activeCount };
    const want = { refCount: m.refCount(c), activeCount: m.activeCount(c) };
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      this.diverge(`loop ${l}: ${JSON.stringify(got)}, model ${JSON.stringify(want)}; ${this.watcherStates(c.id)}`);
    }
  }

  /** Where a count differs, each watcher's view: real active/hasRef against the model's. */
  private watcherStates(core: number): string {
    const parts: string[] = [];
    for (const [i, mw] of this.model.watchers.entries()) {
      if (mw.core !== core || mw.closed) continue;
      const real = this.watchers[i].w;
      const mark = real.active !== mw.active || real.hasRef() !== (mw.active && mw.keep) ? '!' : '';
      parts.push(`${mark}${this.model.describe(i)} active ${real.active}/${mw.active} ref ${real.hasRef()}/${mw.active && mw.keep}`);
    }
    return `watchers (real/model): ${parts.join(', ') || 'none'}`;
  }

  private ownerOf(core: number): number {
    return this.model.loops.findIndex((l) => l.core === core && !l.view);
  }

  // ------------------------------------------------------------ ops

  private judgeOp(op: Op, expect: Expect, threw: boolean, error: unknown): void {
    const msg = judge(expect, threw, error, evkit as any, this.sw.checkCodes);
    if (msg !== null) this.diverge(`${op.k}${'what' in op ? `(${op.what})` : ''}${'m' in op ? `(${op.m})` : ''}: ${msg}`);
  }

  /** Runs a list of ops inside a callback or a promise continuation. */
  private execNested(ops: readonly Op[], label: string): void {
    const saved = this.path;
    for (let i = 0; i < ops.length && this.divergence === null; i++) {
      this.path = [...saved, `${label}${i}`];
      const op = ops[i];
      if (op.k === 'settle') continue;
      if (op.k === 'bad' && (op.what === 'sleepHuge' || op.what === 'sleepString')) {
        this.model.step(op); // SKIP when nested
        continue;
      }
      this.exec(op);
    }
    this.path = saved;
  }

  private exec(op: Op): void {
    this.opCount++;
    trace(`${this.path.join('>')} ${JSON.stringify(op)}`);
    if (op.k === 'run') {
      this.execRun(op);
      return;
    }
    // resolve references before the model adds objects
    this.viewOf = op.k === 'view' ? this.model.loopIndex(op.loop) : -1;
    const expect = this.model.step(op);
    if (expect.kind === 'skip') {
      this.lastPromise = null;
      return;
    }
    let threw = false;
    let error: unknown;
    try {
      this.perform(op);
    } catch (e) {
      threw = true;
      error = e;
    }
    this.judgeOp(op, expect, threw, error);
    if (!threw && expect.kind === 'throws') return;
    if (threw && expect.kind === 'throws') this.undoCreate(op);
  }

  /** An op the model expected to fail created nothing: keep indexes in step. */
  private undoCreate(_op: Op): void {}

  private viewOf = -1;

  private loopOf(n: number): AnyLoop {
    return this.loops[this.model.loopIndex(n)];
  }

  private watcherOf(n: number): WRec {
    return this.watchers[this.model.watcherIndex(n)];
  }

  private perform(op: Op): void {
    const E = evkit as any;
    switch (op.k) {
      case 'newLoop': {
        const loop = new E.Loop(op.backend === '' ? {} : { flags: op.backend });
        this.loops.push(loop);
        const core = this.model.cores.length - 1;
        this.handled[core] = 0;
        this.model.cores[core].backend = loop.backend;
        return;
      }
      case 'view': {
        const ptr = this.loops[this.viewOf].ptr;
        this.loops.push(new E.Loop({ ptr }));
        return;
      }
      case 'new': {
        const loop = this.loopOf(op.loop);
        const opts: Record<string, unknown> = {};
        if (op.prio !== undefined) opts.priority = op.prio;
        if (op.ref !== undefined) opts.ref = op.ref;
        const o = Object.keys(opts).length > 0 ? opts : undefined;
        let w: AnyWatcher;
        switch (op.kind) {
          case 'timer': w = new E.Timer(loop, op.t1, op.t2, o); break;
          case 'periodic': w = new E.Periodic(loop, op.t1, op.t2, o); break;
          case 'io': {
            const p = this.world.pipes[(op.io?.pipe ?? 0) % this.world.pipes.length];
            w = new E.Io(loop, op.io?.end === 'w' ? p.w : p.r, op.io?.events ?? 1, o);
            break;
          }
          case 'signal': w = new E.Signal(loop, op.sig ?? 'SIGUSR2', o); break;
          case 'async': w = new E.Async(loop, o); break;
          case 'fork': w = new E.Fork(loop, o); break;
          case 'stat': w = new E.Stat(loop, this.world.statFile, 0, o); break;
          case 'prepare': w = new E.Prepare(loop, o); break;
          case 'check': w = new E.Check(loop, o); break;
          case 'idle': w = new E.Idle(loop, o); break;
        }
        const index = this.watchers.length;
        const rec: WRec = { w, kind: op.kind, body: undefined, bodyDone: true, fn: () => undefined };
        const self = this;
        rec.fn = function (this: unknown, ...args: unknown[]) {
          return self.onFire(index, this, args);
        };
        this.watchers.push(rec);
        return;
      }
      case 'start': {
        const rec = this.watcherOf(op.w);
        rec.w.start(rec.fn, this.model.watcherIndex(op.w));
        rec.body = op.body;
        rec.bodyDone = false;
        return;
      }
      case 'stop': this.watcherOf(op.w).w.stop(); return;
      case 'close': this.watcherOf(op.w).w.close(); return;
      case 'wref': {
        const w = this.watcherOf(op.w).w;
        if (op.on) w.ref();
        else w.unref();
        return;
      }
      case 'feed': this.watcherOf(op.w).w.feed(0x01000000); return; // EV_CUSTOM
      case 'prio': this.watcherOf(op.w).w.priority = op.p; return;
      case 'timerSet': this.watcherOf(op.w).w[op.field] = op.v; return;
      case 'again': this.watcherOf(op.w).w.again(); return;
      case 'clearPending': this.watcherOf(op.w).w.clearPending(); return;
      case 'invoke': {
        const index = this.model.watcherIndex(op.w);
        this.invoking = index;
        try {
          this.watcherOf(op.w).w.invoke(0x01000000); // EV_CUSTOM
        } catch (e) {
          // the callback's body threw: invoke() passes that on, and it is all it may throw here
          if (!(e instanceof Error && e.message === `boom w${index}` && this.invokeBodyThrew)) throw e;
        } finally {
          this.invoking = -1;
          this.invokeBodyThrew = false;
        }
        return;
      }
      case 'send': this.watcherOf(op.w).w.send(); return;
      case 'raise': process.kill(process.pid, op.sig); return;
      case 'write': this.world.write(op.pipe % this.world.pipes.length); return;
      case 'drain': this.world.drain(op.pipe % this.world.pipes.length); return;
      case 'touch': this.world.touch(); return;
      case 'member': this.member(this.watcherOf(op.w), op.m); return;
      case 'lref': this.loopOf(op.loop).ref(); return;
      case 'lunref': this.loopOf(op.loop).unref(); return;
      case 'verify': this.loopOf(op.loop).verify(); return;
      case 'reinit': this.loopOf(op.loop).reinit(); return;
      case 'break': this.loopOf(op.loop).break(op.how); return;
      case 'destroy': this.loopOf(op.loop).destroy(); return;
      case 'runCb': {
        const id = this.model.callbacks.length - 1;
        const body = op.body;
        const loop = this.loopOf(op.loop);
        const cb = loop.runCallback((...args: unknown[]) => this.onCallback(id, body, args), id);
        this.cbs[id] = cb;
        return;
      }
      case 'cbStop': this.cbs[this.model.callbackIndex(op.cb)].stop(); return;
      case 'errHandler': {
        const loop = this.loopOf(op.loop);
        const core = this.model.loops[this.model.loopIndex(op.loop)].core;
        loop.errorHandler = op.on ? (error: unknown, ctx: unknown) => this.onHandled(core, error, ctx) : null;
        return;
      }
      case 'attach': this.loopOf(op.loop).attach(); return;
      case 'detach': {
        const loop = this.loopOf(op.loop);
        const wasAttached = loop.attached;
        loop.detach();
        if (wasAttached) this.model.resolveDetached(this.model.loops[this.model.loopIndex(op.loop)].core, (id) => this.watchers[id].w.pending);
        return;
      }
      case 'runAsync': this.lastPromise = this.loopOf(op.loop).runAsync(); return;
      case 'bad': this.bad(op); return;
      case 'counts': this.counts(op.loop); return;
      case 'settle': case 'run': return;
    }
  }

  private member(rec: WRec, m: Member): void {
    const w = rec.w;
    const noop = (): void => undefined;
    switch (m) {
      case 'active': void w.active; return;
      case 'pending': void w.pending; return;
      case 'priority': void w.priority; return;
      case 'setPriority': w.priority = 0; return;
      case 'callback': void w.callback; return;
      case 'setCallback': w.callback = noop; return;
      case 'args': void w.args; return;
      case 'setArgs': w.args = []; return;
      case 'start': w.start(noop); return;
      case 'stop': w.stop(); return;
      case 'ref': w.ref(); return;
      case 'unref': w.unref(); return;
      case 'hasRef': w.hasRef(); return;
      case 'feed': w.feed(1); return;
      case 'kindGet':
        switch (rec.kind) {
          case 'timer': void w.remaining; return;
          case 'periodic': void w.at; return;
          case 'io': void w.fd; return;
          case 'signal': void w.signum; return;
          case 'stat': void w.path; return;
          case 'async': void w.sent; return;
          default: void w.active; return;
        }
      case 'kindSet':
        switch (rec.kind) {
          case 'timer': w.repeat = 1; return;
          case 'periodic': w.set(0, 0); return;
          case 'io': w.events = 1; return;
          case 'stat': w.stat(); return;
          case 'async': w.send(); return;
          default: w.priority = 0; return;
        }
    }
  }

  private bad(op: Extract<Op, { k: 'bad' }>): void {
    const E = evkit as any;
    const loop = this.loops.length > 0 ? this.loopOf(op.loop) : undefined;
    const rec = this.watchers.length > 0 ? this.watcherOf(op.w) : undefined;
    const rfd = this.world.pipes[0].r;
    switch (op.what) {
      case 'timerAfterString': new E.Timer(loop, 'x'); return;
      case 'timerAfterNaN': new E.Timer(loop, NaN); return;
      case 'timerAfterInf': new E.Timer(loop, Infinity); return;
      case 'timerAfterHuge': new E.Timer(loop, 2e10); return;
      case 'timerRepeatNeg': new E.Timer(loop, 1, -1); return;
      case 'timerRepeatHuge': new E.Timer(loop, 1, 2e10); return;
      case 'periodicOffsetHuge': new E.Periodic(loop, 1e300); return;
      case 'periodicIntervalNeg': new E.Periodic(loop, 0, -1); return;
      case 'periodicIntervalString': new E.Periodic(loop, 0, 'x'); return;
      case 'prioHigh': new E.Idle(loop, { priority: 3 }); return;
      case 'prioFrac': new E.Idle(loop, { priority: 0.5 }); return;
      case 'prioString': new E.Idle(loop, { priority: '1' }); return;
      case 'refString': new E.Idle(loop, { ref: 'yes' }); return;
      case 'optionsNumber': new E.Idle(loop, 5); return;
      case 'ioFdNeg': new E.Io(loop, -1, 1); return;
      case 'ioFdString': new E.Io(loop, '0', 1); return;
      case 'ioEvents7': new E.Io(loop, rfd, 7); return;
      case 'ioEventsX': new E.Io(loop, rfd, 'x'); return;
      case 'signalKill': new E.Signal(loop, 'SIGKILL'); return;
      case 'signal99': new E.Signal(loop, 99); return;
      case 'signalName': new E.Signal(loop, 'SIGFOO'); return;
      case 'statEmpty': new E.Stat(loop, ''); return;
      case 'statNumber': new E.Stat(loop, 5); return;
      case 'startNoFn': rec?.w.start(42); return;
      case 'loopNotLoop': new E.Timer({}, 1); return;
      case 'loopIsWatcher': new E.Idle(rec?.w); return;
      case 'loopFlags0x100': new E.Loop({ flags: 0x100 }); return;
      case 'loopFlagsNeg': new E.Loop({ flags: -1 }); return;
      case 'loopFlagsType': new E.Loop({ flags: {} }); return;
      case 'loopFlagsName': new E.Loop({ flags: 'bogus' }); return;
      case 'loopPtrUnknown': new E.Loop({ ptr: 0x1234n }); return;
      case 'loopPtrType': new E.Loop({ ptr: 5 }); return;
      case 'breakHow': loop.break('sometimes'); return;
      case 'runNowaitType': loop.run({ nowait: 1 }); return;
      case 'runOptionsType': loop.run(5); return;
      case 'runCallbackNoFn': loop.runCallback(5); return;
      case 'errorHandlerType': loop.errorHandler = 5; return;
      case 'feedString': rec?.w.feed('x'); return;
      case 'timerSetAfterNaN': rec!.w.after = NaN; return;
      case 'timerSetRepeatNeg': rec!.w.repeat = -1; return;
      case 'argsNotArray': rec!.w.args = 5; return;
      case 'sleepHuge': case 'sleepString': return;
    }
  }

  private counts(n: number): void {
    const l = this.model.loopIndex(n);
    const c = this.model.coreOfLoop(l);
    const real = this.loops[l];
    void real.refCount; // throws on a destroyed loop or retired view
    if (!c.attached) {
      const depth = c.iter !== null ? 1 : 0;
      if (real.depth !== depth) this.diverge(`loop ${l}: depth ${real.depth}, model ${depth}`);
    }
    const inBatch = this.model.stack.length > 0 && !c.attached && this.sw.skip.has('counts-in-batch');
    if (!inBatch && this.model.quiescent(c) && this.divergence === null) this.compareLoop(l, c, real);
  }

  // ------------------------------------------------------------ blocking run

  private execRun(op: Extract<Op, { k: 'run' }>): void {
    const start = this.model.runStart(op);
    const loop = this.loops.length > 0 ? this.loopOf(op.loop) : undefined;
    if (start.expect.kind === 'skip') return;
    const mode = start.mode ?? op.mode;
    const opts = mode === 'default' ? undefined : { [mode]: true };
    let threw = false;
    let error: unknown;
    let more: unknown;
    try {
      more = loop.run(opts);
    } catch (e) {
      threw = true;
      error = e;
    }
    if (start.core === undefined) {
      this.judgeOp(op, start.expect, threw, error);
      return;
    }
    const c = start.core;
    const fin = this.model.runFinish(c);
    if (this.divergence !== null) return;
    if (fin.missing !== null) {
      this.diverge(fin.missing);
      return;
    }
    if (threw && !(error instanceof Error)) {
      this.diverge(`run() threw a non-Error: ${String(error)}`);
      return;
    }
    if (fin.errors === 0) {
      if (threw) this.diverge(`run() threw unexpectedly: ${(error as Error).stack}`);
      else if (!c.destroyed && more !== fin.more) this.diverge(`run() returned ${String(more)}, model ${fin.more}`);
      return;
    }
    if (!threw) {
      this.diverge(`run() returned although ${fin.errors} callback(s) threw`);
      return;
    }
    if (fin.errors === 1) {
      if (!(error as Error).message.startsWith('boom')) this.diverge(`run() threw ${String(error)}, expected the callback's error`);
    } else if (!(error instanceof AggregateError) || error.errors.length !== fin.errors) {
      this.diverge(`run() threw ${String(error)}, expected an AggregateError of ${fin.errors}`);
    }
  }

  // ------------------------------------------------------------ callbacks

  private onFire(index: number, self: unknown, args: unknown[]): void {
    if (this.divergence !== null) return;
    const rec = this.watchers[index];
    if (self !== rec.w) this.diverge(`w${index}: callback this is not the watcher`);
    if (args[0] !== index) this.diverge(`w${index}: callback got args ${JSON.stringify(args)}`);
    if (this.invoking === index) {
      // invoke(): the callback runs here and now, without the model's fire
      this.invoking = -1;
      const body = rec.bodyDone ? undefined : rec.body;
      rec.bodyDone = true;
      if (TRACE) trace(`  invoke w${index}`);
      if (this.runBody(body, `w${index}:`)) {
        this.invokeBodyThrew = true;
        throw new Error(`boom w${index}`);
      }
      return;
    }
    const flags = (): string => {
      const m = this.model.watchers[index];
      return `active=${m.active} pending=${m.pending} uncertain=${m.uncertain} grace=${m.grace} due=${m.due} owed=${m.owed} real active=${rec.w.active}`;
    };
    if (TRACE) trace(`  fire w${index} ${flags()}`);
    const err = this.model.fire(index);
    if (TRACE) trace(`    -> ${flags()}`);
    if (err !== null) {
      this.diverge(err);
      return;
    }
    const body = rec.bodyDone ? undefined : rec.body;
    rec.bodyDone = true;
    const throwsNow = this.runBody(body, `w${index}:`);
    this.model.fireEnd(index, throwsNow);
    if (throwsNow) throw new Error(`boom w${index}`);
  }

  private onCallback(id: number, body: Body | undefined, args: unknown[]): void {
    if (this.divergence !== null) return;
    if (args[0] !== id) this.diverge(`runCallback #${id} got args ${JSON.stringify(args)}`);
    trace(`  runCallback #${id}`);
    const err = this.model.callbackRuns(id);
    if (err !== null) {
      this.diverge(err);
      return;
    }
    const throwsNow = this.runBody(body, `cb${id}:`);
    this.model.callbackEnd(id, throwsNow);
    if (throwsNow) throw new Error(`boom cb${id}`);
  }

  private runBody(body: Body | undefined, label: string): boolean {
    if (body === undefined) return false;
    if (body.inner) this.execNested(body.inner, `${label}inner`);
    if (body.then) {
      const then = body.then;
      const saved = this.path;
      const frame = this.model.stack[this.model.stack.length - 1];
      const core = frame !== undefined && this.model.cores[frame.core].attached ? frame.core : -1;
      void Promise.resolve().then(() => {
        if (this.divergence !== null) return;
        const p = this.path;
        const c = this.model.continuationOf;
        this.path = saved;
        this.model.continuationOf = core;
        this.execNested(then, `${label}then`);
        this.model.continuationOf = c;
        this.path = p;
      });
    }
    if (this.sw.skip.has('error-after-detach') && this.model.detachedInOwnDelivery()) return false;
    return body.throws === true && !this.sw.skip.has('callback-errors');
  }

  private onHandled(core: number, error: unknown, ctx: unknown): void {
    this.handled[core] = (this.handled[core] ?? 0) + 1;
    if (!(error instanceof Error) || !error.message.startsWith('boom')) {
      this.diverge(`errorHandler got ${String(error)}`);
      return;
    }
    const tag = error.message.slice(5);
    const want = tag.startsWith('w') ? this.watchers[Number(tag.slice(1))].w : this.cbs[Number(tag.slice(2))];
    if (ctx !== want) this.diverge(`errorHandler context for ${tag} is not its watcher/callback`);
  }

  get ops(): number {
    return this.opCount;
  }
}
