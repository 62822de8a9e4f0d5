// The reference model of loops, watchers and queued callbacks.
//
// It is driven in lockstep with the real packages: `step(op)` says what an op
// must do and applies its effect; `fire()`/`callbackRuns()` are told about
// every real callback and say whether libev's rules allow it now. For a
// blocking run() the model follows one libev iteration phase by phase
// (pending at entry, fork, prepare + runCallback drain, poll: timers,
// periodics, io, signals, async, stat, then idle, then check), priorities
// high first; the order among watchers of one priority in one pass is left
// open. For an attached loop only "may it fire now?" is checked, and what
// must happen eventually is collected as obligations for `settle`.

import type { BadArg, Body, Member, NewWatcher, Op, WatcherKind } from './ops.js';
import { PIPES_PER_SEQUENCE } from './ops.js';
import type { Switches } from './switches.js';
import {
  OK, SKIP, argError, closedError, destroyedError, throws, type Expect,
} from './expect.js';

export const MAX_TIME = 1e10;
const NPRI = 5; // MINPRI -2 .. MAXPRI 2
const pi = (prio: number): number => prio + 2;

type Phase = 'entry' | 'fork' | 'prepare' | 'poll' | 'done';

interface Iter {
  phase: Phase;
  /** pending per priority index, in this pass */
  pend: Set<number>[];
  /** the runCallback drain is still due in this prepare pass */
  drainDue: boolean;
  /** the drain has started (a callback of it ran) */
  draining: boolean;
  loopDone: boolean;
  reinitEarly: boolean;
  mode: 'nowait' | 'once' | 'default';
  errors: number;
  /** idles libev may or may not have queued (an internal MAXPRI watcher may have been pending) */
  optional: Set<number>;
  /** poll phase after a reinit or with noise: libev's pipe watcher may be pending at MAXPRI, behind the MAXPRI watchers queued after it */
  pipeMaybe: boolean;
  /** signal/async/stat whose event may or may not have outlived a detach: this poll runs it or never will */
  maybe: Set<number>;
}

export interface MCore {
  id: number;
  backend: string;
  destroyed: boolean;
  attached: boolean;
  refCalls: number;
  queue: number[];
  handler: boolean;
  postfork: boolean;
  iter: Iter | null;
  /** errors an attached loop sent to 'uncaughtException' (expected) */
  uncaught: number;
  handled: number;
  statWatchers: number;
  /** since the last poll: an async send, a signal, inotify activity (libev's or evkit's internal MAXPRI io may be pending) */
  noise: boolean;
  /** a reinit() the attached thread may or may not have consumed before detach() */
  forkMaybe: boolean;
  everAttached: boolean;
}

export interface MLoop {
  core: number;
  view: boolean;
  retired: boolean;
}

export interface MWatcher {
  id: number;
  kind: WatcherKind;
  core: number;
  prio: number;
  keep: boolean;
  active: boolean;
  pending: boolean;
  closed: boolean;
  hasCb: boolean;
  // timer / periodic
  t1: number;
  t2: number;
  due: boolean;
  // io
  pipe: number;
  end: 'r' | 'w';
  events: number;
  // signal
  sig: string;
  flag: boolean; // signal raised / async sent / stat changed / fork owed (attached)
  /** attached: a one-shot whose native stop may already have happened */
  uncertain: boolean;
  /** attached: must fire at least once more */
  owed: boolean;
  /** the Loop object (index) it was created with */
  handle: number;
  /** attached io: readiness seen before a drain may still be delivered once */
  grace: boolean;
  /** attached one-shot: start()ed again while its expiry may have been taken, so two deliveries may come */
  rearmed: boolean;
  /** attached timer: repeat set to 0 while due; the loop thread may have re-armed it with the old repeat */
  repeatRace: boolean;
  /** attached signal/async/stat: raises, sends or changes since its last delivery */
  unseen: number;
  /** attached signal/async/stat: an event arrived after the loop thread took the one delivered last; it may still be set natively */
  flagMaybe: boolean;
}

export interface MCallback {
  id: number;
  core: number;
  state: 'queued' | 'ran' | 'stopped';
}

interface Frame {
  core: number;
  w: number; // watcher id, or -1 - callback id
  /** libev had the watcher active when its callback was invoked */
  active: boolean;
  /** delivered by the attached loop (which the callback may detach) */
  attached: boolean;
}

const isOneShotKind = (w: MWatcher): boolean =>
  (w.kind === 'timer' && w.t2 === 0) || (w.kind === 'periodic' && w.t2 === 0);

export class Model {
  readonly cores: MCore[] = [];
  readonly loops: MLoop[] = [];
  readonly watchers: MWatcher[] = [];
  readonly callbacks: MCallback[] = [];
  readonly pipeData: boolean[] = new Array(PIPES_PER_SEQUENCE).fill(false);
  readonly stack: Frame[] = [];
  /** the core whose callback queued the promise continuation running now (attached), or -1 */
  continuationOf = -1;
  /** cores detached from inside one of their own attached deliveries */
  private readonly detachedInDelivery = new Set<number>();
  /** Set by the executor to the real backend name of a new loop. */
  constructor(readonly sw: Switches) {}

  private skipped(item: Parameters<Switches['skip']['has']>[0]): boolean {
    return this.sw.skip.has(item);
  }

  // ------------------------------------------------------------ resolving

  loopIndex(n: number): number {
    return this.loops.length === 0 ? -1 : n % this.loops.length;
  }
  watcherIndex(n: number): number {
    return this.watchers.length === 0 ? -1 : n % this.watchers.length;
  }
  callbackIndex(n: number): number {
    return this.callbacks.length === 0 ? -1 : n % this.callbacks.length;
  }

  coreOfLoop(l: number): MCore {
    return this.cores[this.loops[l].core];
  }

  inCallbackOf(core: number): boolean {
    return this.stack.some((f) => f.core === core);
  }

  /** Still inside the delivery that detached this core: a nested run() there is not modelled. */
  private inDetachingDelivery(c: MCore): boolean {
    if (!this.detachedInDelivery.has(c.id)) return false;
    if (this.inCallbackOf(c.id) || this.continuationOf === c.id) return true;
    this.detachedInDelivery.delete(c.id);
    return false;
  }

  refCount(c: MCore): number {
    if (c.destroyed) return 0;
    let n = c.refCalls + c.queue.length;
    for (const w of this.watchers) if (w.core === c.id && !w.closed && w.active && w.keep) n++;
    return n;
  }

  activeCount(c: MCore): number {
    if (c.destroyed) return 0;
    let n = 0;
    for (const w of this.watchers) if (w.core === c.id && !w.closed && w.active) n++;
    return n;
  }

  /** Attached loops: a state whose timing the model cannot know. */
  quiescent(c: MCore): boolean {
    if (!c.attached) return true;
    if (c.queue.length > 0) return false;
    return !this.watchers.some((w) => w.core === c.id && !w.closed && (w.owed || w.uncertain || w.pending));
  }

  // ------------------------------------------------------------ ops

  /** What `op` must do; applies its effect to the model. */
  /** The core a top-level suspend op suspended, until its resume; -1 when none. */
  private suspendedCore = -1;

  step(op: Op): Expect {
    // destroy() ends a suspension (the loop is gone).
    if (this.suspendedCore >= 0 && this.cores[this.suspendedCore].destroyed) this.suspendedCore = -1;
    if (this.suspendedCore >= 0) {
      const refused = this.whileSuspended(op, this.suspendedCore);
      if (refused !== null) return refused;
    }
    switch (op.k) {
      case 'suspend': {
        const l = this.loopIndex(op.loop);
        if (l < 0 || this.suspendedCore >= 0 || this.loops[l].view) return SKIP;
        const c = this.coreOfLoop(l);
        if (this.loops[l].retired || c.destroyed) return destroyedError();
        this.suspendedCore = c.id;
        return OK;
      }
      case 'newLoop': {
        const core: MCore = {
          id: this.cores.length, backend: op.backend || 'auto', destroyed: false, attached: false, refCalls: 0,
          queue: [], handler: false, postfork: false, iter: null, uncaught: 0, handled: 0, statWatchers: 0, noise: false, forkMaybe: false, everAttached: false,
        };
        this.cores.push(core);
        this.loops.push({ core: core.id, view: false, retired: false });
        return OK;
      }
      case 'view': {
        const l = this.loopIndex(op.loop);
        if (l < 0) return SKIP;
        const c = this.coreOfLoop(l);
        if (c.destroyed || this.loops[l].retired) return argError('RangeError', 'ERR_INVALID_ARG_VALUE');
        this.loops.push({ core: c.id, view: true, retired: false });
        return OK;
      }
      case 'new':
        return this.newWatcher(op);
      case 'start':
        return this.withWatcher(op.w, (w) => this.start(w));
      case 'stop':
        return this.withWatcher(op.w, (w) => {
          if (w.kind === 'stat') this.cores[w.core].noise = true;
          w.active = false;
          w.pending = false;
          w.hasCb = false;
          w.uncertain = false;
          w.rearmed = false;
          w.repeatRace = false;
          w.owed = false;
          w.flag = false;
          w.flagMaybe = false;
          this.unqueue(w);
          return OK;
        });
      case 'close': {
        const i = this.watcherIndex(op.w);
        if (i < 0) return SKIP;
        const w = this.watchers[i];
        const c = this.cores[w.core];
        if (w.kind === 'stat' && c.attached && this.statAbortRisk(c)) return SKIP;
        if (w.kind === 'stat') c.noise = true;
        this.closeWatcher(w);
        return OK;
      }
      case 'wref':
        return this.withWatcher(op.w, (w) => {
          w.keep = op.on;
          return OK;
        });
      case 'feed':
        return this.withWatcher(op.w, (w) => {
          // evkit may have released the callback already (a coalesced fire): whether this feed
          // throws, and so whether a delivery is owed, is timing
          if (w.uncertain) return SKIP;
          if (!w.hasCb) return throws('EvError', 'ERR_EVKIT_NO_CALLBACK');
          const top = this.stack[this.stack.length - 1];
          if (!w.active && top !== undefined && top.w === w.id && this.skipped('feed-self-inactive')) return SKIP;
          // attached: the loop thread may have taken the first feed already
          if (w.pending && this.cores[w.core].attached) w.grace = true;
          this.makePending(w);
          if (this.cores[w.core].attached) w.owed = true;
          return OK;
        });
      case 'prio':
        return this.withWatcher(op.w, (w) => {
          if (!Number.isInteger(op.p) || op.p < -2 || op.p > 2) return argError('RangeError', 'ERR_OUT_OF_RANGE');
          const c = this.cores[w.core];
          // whether it is still pending is timing: whether this throws, and so the priority after it, too
          if (c.attached && (w.pending || w.uncertain || w.owed)) return SKIP;
          if (w.active || w.pending) return throws('EvError', 'ERR_EVKIT_WATCHER_ACTIVE');
          w.prio = op.p;
          return OK;
        });
      case 'timerSet':
        return this.timerSet(op.w, op.field, op.v);
      case 'again':
        return this.again(op.w);
      case 'clearPending':
        return this.clearPending(op.w);
      case 'invoke':
        if (this.viaRetiredView(op.w)) return SKIP;
        return this.withWatcher(op.w, (w) => {
          // ev_invoke: the callback runs now, outside any delivery, and nothing of the watcher
          // changes; what its body does are ops of the caller's context, and what it throws is
          // invoke()'s own (the executor accepts its own body's error). Whether evkit still
          // holds the callback is timing where feed() says so too.
          if (w.uncertain) return SKIP;
          if (!w.hasCb) return throws('EvError', 'ERR_EVKIT_NO_CALLBACK');
          return OK;
        });
      case 'send':
        if (this.viaRetiredView(op.w)) return SKIP;
        return this.withKind(op.w, 'async', (w) => {
          const c = this.cores[w.core];
          if (c.everAttached && !c.attached && this.skipped('once-after-detach')) return SKIP;
          c.noise = true;
          if (w.active) {
            w.flag = true;
            this.noteAttachedEvent(w);
          }
          return OK;
        });
      case 'raise':
        // the pipe watcher may still run in this iteration and see it (or not): timing of LIFO order
        if (this.cores.some((c) => c.iter?.phase === 'poll' && c.iter.pipeMaybe)) return SKIP;
        if (this.skipped('once-after-detach') && this.cores.some((c) => c.everAttached && !c.attached && !c.destroyed &&
          this.watchers.some((w) => w.core === c.id && w.kind === 'signal' && w.active && !w.closed))) return SKIP;
        for (const c of this.cores) c.noise = true;
        for (const w of this.watchers) {
          if (w.kind === 'signal' && w.sig === op.sig && w.active && !w.closed && !this.cores[w.core].destroyed) {
            w.flag = true;
            this.noteAttachedEvent(w);
          }
        }
        return OK;
      case 'write':
        this.pipeData[op.pipe % PIPES_PER_SEQUENCE] = true;
        this.oweIo();
        return OK;
      case 'drain':
        // Draining a pipe another callback has yet to see makes its owed fire moot.
        for (const w of this.watchers) {
          if (w.kind === 'io' && w.end === 'r' && w.pipe === op.pipe % PIPES_PER_SEQUENCE && w.active && this.cores[w.core].attached && this.ioReady(w)) w.grace = true;
        }
        this.pipeData[op.pipe % PIPES_PER_SEQUENCE] = false;
        for (const w of this.watchers) {
          if (w.kind === 'io' && w.end === 'r' && w.pipe === op.pipe % PIPES_PER_SEQUENCE) {
            if (w.active && this.cores[w.core].attached && this.ioReady(w)) w.grace = true;
            w.owed = false;
          }
        }
        return OK;
      case 'touch':
        for (const w of this.watchers) {
          if (w.kind === 'stat' && w.active && !w.closed && !this.cores[w.core].destroyed) {
            this.cores[w.core].noise = true;
            w.flag = true;
            this.noteAttachedEvent(w);
          }
        }
        return OK;
      case 'member':
        return this.member(op.w, op.m);
      case 'lref':
        return this.withLoop(op.loop, (c) => {
          c.refCalls++;
          return OK;
        });
      case 'lunref':
        return this.withLoop(op.loop, (c) => {
          if (c.refCalls === 0) {
            if (this.skipped('unref')) return SKIP;
            return throws('EvError', 'ERR_EVKIT_UNREF');
          }
          c.refCalls--;
          return OK;
        });
      case 'verify':
        return this.withLoop(op.loop, () => OK);
      case 'reinit':
        return this.withLoop(op.loop, (c) => {
          if (c.attached) {
            // the loop thread runs the fork watchers soon; one started meanwhile may run too
            c.forkMaybe = true;
            for (const w of this.watchers) if (w.core === c.id && w.kind === 'fork' && w.active && !w.closed) {
              w.flag = true;
              w.owed = true;
            }
            return OK;
          }
          c.postfork = true;
          const it = c.iter;
          if (it !== null && (it.phase === 'fork' || it.phase === 'prepare')) it.reinitEarly = true;
          return OK;
        });
      case 'run':
        return SKIP; // handled by runStart/runFinish
      case 'break': {
        const l = this.loopIndex(op.loop);
        if (l < 0) return SKIP;
        if (this.loops[l].retired || this.coreOfLoop(l).destroyed) return destroyedError();
        const c = this.coreOfLoop(l);
        if (c.iter !== null && !c.attached) c.iter.loopDone = op.how !== 'cancel';
        return OK;
      }
      case 'destroy': {
        const l = this.loopIndex(op.loop);
        if (l < 0) return SKIP;
        const loop = this.loops[l];
        const c = this.cores[loop.core];
        if (loop.retired || c.destroyed) return OK;
        if (loop.view) {
          loop.retired = true;
          return OK;
        }
        if (c.attached && this.statAbortRisk(c)) return SKIP;
        loop.retired = true;
        this.destroyCore(c);
        return OK;
      }
      case 'runCb':
        return this.withLoop(op.loop, (c) => {
          if (c.attached && this.skipped('runcb-in-attached-callback')) {
            const top = this.stack[this.stack.length - 1];
            if (this.continuationOf === c.id || (top !== undefined && top.core === c.id && top.w >= 0)) return SKIP;
          }
          this.callbacks.push({ id: this.callbacks.length, core: c.id, state: 'queued' });
          c.queue.push(this.callbacks.length - 1);
          return OK;
        });
      case 'cbStop': {
        const i = this.callbackIndex(op.cb);
        if (i < 0) return SKIP;
        const cb = this.callbacks[i];
        if (cb.state === 'queued') {
          cb.state = 'stopped';
          const c = this.cores[cb.core];
          c.queue = c.queue.filter((x) => x !== cb.id);
        }
        return OK;
      }
      case 'errHandler':
        if (this.skipped('destroyed-error-handler')) {
          const l = this.loopIndex(op.loop);
          if (l >= 0 && (this.loops[l].retired || this.coreOfLoop(l).destroyed)) return SKIP;
        }
        return this.withLoop(op.loop, (c) => {
          c.handler = op.on;
          return OK;
        });
      case 'attach':
      case 'runAsync':
        return this.withLoop(op.loop, (c, loop) => {
          if (c.iter !== null && !c.attached) {
            if (this.skipped('attach-in-callback')) return SKIP;
            return throws('EvError', 'ERR_EVKIT_IN_CALLBACK');
          }
          if (loop.view) return throws('EvError', 'ERR_EVKIT_ATTACH');
          if (this.statAbortRisk(c, true)) return SKIP;
          // which fork watchers a reinit made before attach() reaches is timing (when the thread iterates)
          if (c.postfork) return SKIP;
          if (op.k === 'runAsync' && this.refCount(c) > 0 && !c.attached) {
            // fine: the promise is not awaited
          }
          this.detachedInDelivery.delete(c.id);
          this.attachCore(c);
          return OK;
        });
      case 'detach':
        return this.withLoop(op.loop, (c) => {
          const inDelivery = c.attached && (this.inCallbackOf(c.id) || this.continuationOf === c.id);
          if (inDelivery && this.skipped('detach-in-continuation')) return SKIP;
          if (c.attached && !this.quiescent(c)) return SKIP; // would drop obligations at a random point
          // an extra delivery that may or may not come (a coalesced feed and expiry) would be left to run()
          if (c.attached && this.watchers.some((w) => w.core === c.id && !w.closed && w.grace)) return SKIP;
          if (c.attached && this.statAbortRisk(c)) return SKIP;
          if (inDelivery) this.detachedInDelivery.add(c.id);
          if (c.attached) c.noise = true;
          c.attached = false;
          return OK;
        });
      case 'settle':
        return OK;
      case 'bad':
        return this.bad(op.what, op.loop, op.w);
      case 'counts':
        return this.withLoop(op.loop, () => OK);
    }
  }

  private statAbortRisk(c: MCore, attaching = false): boolean {
    if (!this.skipped('stat-attached')) return false;
    if (!attaching && !c.attached) return false;
    return c.backend === 'poll' && this.watchers.some((w) => w.core === c.id && w.kind === 'stat' && !w.closed);
  }

  private attachCore(c: MCore): void {
    if (c.attached) return;
    c.attached = true;
    c.everAttached = true;
    c.noise = true; // the loop thread is woken through libev's async pipe
    if (c.postfork) {
      c.postfork = false;
      c.forkMaybe = true;
      for (const w of this.watchers) if (w.core === c.id && w.kind === 'fork' && w.active && !w.closed) {
        w.flag = true;
        w.owed = true;
      }
    }
    // Whatever could fire now must fire eventually.
    for (const w of this.watchers) {
      if (w.core !== c.id || w.closed) continue;
      if (w.pending) w.owed = true;
      if (w.active && this.mayFireAttached(w)) {
        if (isOneShotKind(w) && w.due) w.uncertain = true;
        if (this.mustFireAttached(w)) w.owed = true;
      }
    }
  }

  private noteAttachedEvent(w: MWatcher): void {
    if (!this.cores[w.core].attached) return;
    w.owed = true;
    w.unseen++;
  }

  private oweIo(): void {
    for (const w of this.watchers) {
      if (w.kind === 'io' && w.active && !w.closed && this.cores[w.core].attached && this.ioReady(w)) w.owed = true;
    }
  }

  /** The suspend op's resume() ran, or its loop was destroyed. */
  endSuspension(): void {
    this.suspendedCore = -1;
  }

  /**
   * While core `c` is suspended, every op on it or its watchers throws
   * ERR_EVKIT_SUSPENDED and changes nothing, but making a watcher, close(),
   * a queued callback's stop() and destroy(). null: the op's usual rules apply.
   */
  private whileSuspended(op: Op, c: number): Expect | null {
    const suspended = throws('EvError', 'ERR_EVKIT_SUSPENDED');
    switch (op.k) {
      case 'start': case 'stop': case 'wref': case 'feed': case 'prio': case 'clearPending': case 'invoke':
      case 'timerSet': case 'again': case 'send': case 'member': {
        const i = this.watcherIndex(op.w);
        if (i < 0 || this.watchers[i].core !== c || this.viaRetiredView(op.w)) return null;
        const kind = this.watchers[i].kind;
        if ((op.k === 'timerSet' || op.k === 'again') && kind !== 'timer') return null;
        if (op.k === 'send' && kind !== 'async') return null;
        // Kinds' own members: not all of them reach the loop (a kind's settings); not compared.
        if (op.k === 'member' && (op.m === 'kindGet' || op.m === 'kindSet')) return SKIP;
        return suspended;
      }
      case 'lref': case 'lunref': case 'verify': case 'reinit': case 'break': case 'runCb': case 'errHandler':
      case 'attach': case 'detach': case 'counts': case 'run': case 'runAsync': {
        const l = this.loopIndex(op.loop);
        if (l < 0 || this.loops[l].core !== c || this.loops[l].retired) return null;
        return suspended;
      }
      default:
        return null;
    }
  }

  private withLoop(n: number, f: (c: MCore, loop: MLoop) => Expect): Expect {
    const l = this.loopIndex(n);
    if (l < 0) return SKIP;
    const loop = this.loops[l];
    const c = this.cores[loop.core];
    if (loop.retired || c.destroyed) return destroyedError();
    return f(c, loop);
  }

  private withWatcher(n: number, f: (w: MWatcher) => Expect): Expect {
    const i = this.watcherIndex(n);
    if (i < 0) return SKIP;
    const w = this.watchers[i];
    if (this.cores[w.core].destroyed) return destroyedError();
    if (w.closed) return closedError();
    return f(w);
  }

  private withKind(n: number, kind: WatcherKind, f: (w: MWatcher) => Expect): Expect {
    const i = this.watcherIndex(n);
    if (i < 0 || this.watchers[i].kind !== kind) return SKIP;
    return this.withWatcher(n, f);
  }

  private timeError(v: number, nonNegative: boolean): Expect | null {
    if (!Number.isFinite(v)) return argError('RangeError', 'ERR_OUT_OF_RANGE');
    if (Math.abs(v) > MAX_TIME) return this.skipped('max-time') ? SKIP : argError('RangeError', 'ERR_OUT_OF_RANGE');
    if (nonNegative && v < 0) return argError('RangeError', 'ERR_OUT_OF_RANGE');
    return null;
  }

  private newWatcher(op: NewWatcher): Expect {
    const l = this.loopIndex(op.loop);
    if (l < 0) return SKIP;
    const loop = this.loops[l];
    const c = this.cores[loop.core];
    if (op.kind === 'timer' || op.kind === 'periodic') {
      const e = this.timeError(op.t1 ?? 0, false) ?? this.timeError(op.t2 ?? 0, true);
      if (e !== null) return e;
    }
    if (op.prio !== undefined && (op.prio < -2 || op.prio > 2)) return argError('RangeError', 'ERR_OUT_OF_RANGE');
    if (loop.retired || c.destroyed) return destroyedError();
    if (op.kind === 'stat' && c.attached && this.skipped('stat-attached') && c.backend === 'poll') return SKIP;
    const w: MWatcher = {
      id: this.watchers.length, kind: op.kind, core: c.id, prio: op.prio ?? 0, keep: op.ref ?? true,
      active: false, pending: false, closed: false, hasCb: false, t1: op.t1 ?? 0, t2: op.t2 ?? 0, due: false,
      pipe: (op.io?.pipe ?? 0) % PIPES_PER_SEQUENCE, end: op.io?.end ?? 'r', events: op.io?.events ?? 1, sig: op.sig ?? 'SIGUSR2', flag: false,
      uncertain: false, owed: false, handle: l, grace: false, unseen: 0, flagMaybe: false, rearmed: false, repeatRace: false,
    };
    if (op.kind === 'periodic') w.due = w.t1 <= Date.now() / 1000 && w.t2 === 0;
    if (op.kind === 'timer') w.due = w.t1 <= 0;
    this.watchers.push(w);
    if (op.kind === 'stat') c.statWatchers++;
    return OK;
  }

  private start(w: MWatcher): Expect {
    const c = this.cores[w.core];
    if (!w.active && w.pending && isOneShotKind(w) && this.skipped('restart-queued-oneshot')) return SKIP;
    if (w.uncertain && this.skipped('attached-restart-undelivered')) return SKIP;
    w.hasCb = true;
    if (w.uncertain) {
      // attached one-shot that may have been stopped natively: either way it ends up active, and an
      // expiry the loop thread took before the restart may still be delivered ahead of the new one
      w.active = true;
      w.due = this.dueAtStart(w);
      w.grace = true;
      w.rearmed = true;
      return OK;
    }
    if (w.active) return OK; // only callback and args change
    w.active = true;
    w.due = this.dueAtStart(w);
    if (w.kind === 'async') w.flag = false; // a send while stopped is lost
    if (w.kind === 'signal' || w.kind === 'stat') w.flag = false;
    if (w.kind === 'fork') w.flag = false;
    w.flagMaybe = false;
    w.unseen = 0;
    if (w.kind === 'stat') c.noise = true;
    if (c.attached) {
      if (isOneShotKind(w) && w.due) w.uncertain = true;
      if (this.mustFireAttached(w)) w.owed = true;
    }
    return OK;
  }

  private dueAtStart(w: MWatcher): boolean {
    // after 0 counts from the cached time, which the poll's time update passes
    if (w.kind === 'timer') return w.t1 <= 0;
    if (w.kind === 'periodic') return w.t2 === 0 && w.t1 <= Date.now() / 1000;
    return false;
  }

  /** A watcher made through a view that was destroyed since (known divergence: view-watcher). */
  private viaRetiredView(n: number): boolean {
    const i = this.watcherIndex(n);
    if (i < 0 || !this.skipped('view-watcher')) return false;
    const w = this.watchers[i];
    return this.loops[w.handle].view && this.loops[w.handle].retired && !this.cores[w.core].destroyed;
  }

  private timerSet(n: number, field: 'after' | 'repeat', v: number): Expect {
    const i = this.watcherIndex(n);
    if (i < 0 || this.watchers[i].kind !== 'timer') return SKIP;
    if (this.viaRetiredView(n)) return SKIP;
    const w = this.watchers[i];
    // evkit checks the watcher before the value (a closed watcher's members all throw)
    const c = this.cores[w.core];
    if (c.destroyed) return this.skipped('destroyed-members') ? SKIP : destroyedError();
    if (w.closed) return this.skipped('closed-members') ? SKIP : closedError();
    const e = this.timeError(v, field === 'repeat');
    if (e !== null) return e;
    if (field === 'after') {
      if (w.uncertain) return SKIP;
      if (w.active) return throws('EvError', 'ERR_EVKIT_WATCHER_ACTIVE');
      w.t1 = v;
    } else {
      w.t2 = v;
      // attached: a due timer that has not fired yet now ends as a one-shot, or not: timing (grace: a
      // delivery seen so far may have been a fed event, with the expiry still to come)
      if (c.attached && w.active && (w.due || w.grace) && v === 0) {
        w.uncertain = true;
        w.repeatRace = true;
      }
    }
    return OK;
  }

  private again(n: number): Expect {
    const i = this.watcherIndex(n);
    if (i < 0 || this.watchers[i].kind !== 'timer') return SKIP;
    if (this.viaRetiredView(n)) return SKIP;
    const w = this.watchers[i];
    const c = this.cores[w.core];
    if (c.destroyed) return this.skipped('destroyed-members') ? SKIP : destroyedError();
    if (w.closed) return this.skipped('closed-members') ? SKIP : closedError();
    if (w.uncertain) return SKIP;
    if (c.attached && w.pending && this.skipped('attached-again-pending')) return SKIP;
    w.pending = false; // ev_timer_again clears a pending event (evkit also drops one the loop thread took)
    w.owed = false;
    this.unqueue(w);
    if (w.t2 > 0) {
      if (!w.hasCb) return throws('EvError', 'ERR_EVKIT_NO_CALLBACK');
      w.active = true;
      w.due = false; // repeat (>= 1e3 here) from now
      w.owed = false;
    } else if (w.active) {
      w.active = false; // ev_timer_again stops it; evkit keeps callback and args
      w.owed = false;
    }
    return OK;
  }

  // ev_clear_pending: the pending event goes, the watcher stays what it is (active or not, its
  // callback kept). Attached, whether the loop thread has made it pending yet is timing: not modelled.
  private clearPending(n: number): Expect {
    const i = this.watcherIndex(n);
    if (i < 0) return SKIP;
    if (this.viaRetiredView(n)) return SKIP;
    const w = this.watchers[i];
    const c = this.cores[w.core];
    if (c.destroyed) return this.skipped('destroyed-members') ? SKIP : destroyedError();
    if (w.closed) return this.skipped('closed-members') ? SKIP : closedError();
    if (c.attached || w.uncertain) return SKIP;
    w.pending = false;
    w.owed = false;
    this.unqueue(w);
    return OK;
  }

  private member(n: number, m: Member): Expect {
    const i = this.watcherIndex(n);
    if (i < 0) return SKIP;
    const w = this.watchers[i];
    const c = this.cores[w.core];
    const methods: Member[] = ['start', 'stop', 'ref', 'unref', 'feed', 'setPriority', 'setCallback', 'setArgs'];
    if (c.destroyed) {
      if (!methods.includes(m) && this.skipped('destroyed-members')) return SKIP;
      if (m === 'kindGet' || m === 'kindSet') return this.skipped('destroyed-members') ? SKIP : destroyedError();
      return destroyedError();
    }
    if (w.closed) {
      if (!methods.includes(m) && this.skipped('closed-members')) return SKIP;
      return closedError();
    }
    return SKIP; // live watchers are compared by the state check
  }

  private bad(what: BadArg, loopN: number, wN: number): Expect {
    const TE = argError('TypeError', 'ERR_INVALID_ARG_TYPE');
    const RV = argError('RangeError', 'ERR_INVALID_ARG_VALUE');
    const RO = argError('RangeError', 'ERR_OUT_OF_RANGE');
    const l = this.loopIndex(loopN);
    const loopOk = l >= 0 && !this.loops[l].retired && !this.coreOfLoop(l).destroyed;
    const needLoop = (e: Expect): Expect => (loopOk ? e : SKIP);
    const wi = this.watcherIndex(wN);
    const wOk = wi >= 0 && !this.watchers[wi].closed && !this.cores[this.watchers[wi].core].destroyed;
    const needW = (e: Expect): Expect => (wOk ? e : SKIP);
    switch (what) {
      case 'timerAfterString': case 'periodicIntervalString': case 'prioString': case 'refString':
      case 'optionsNumber': case 'ioFdString': case 'statNumber': case 'loopNotLoop': case 'loopFlagsType':
      case 'runNowaitType': case 'runOptionsType': case 'runCallbackNoFn': case 'errorHandlerType':
      case 'feedString': case 'sleepString': case 'ioEventsX':
        if (what === 'ioEventsX') return needLoop(RV);
        if (what === 'feedString') return needW(TE);
        if (what === 'sleepString' && this.stack.length > 0) return SKIP;
        return what.startsWith('loop') ? TE : needLoop(TE);
      case 'loopIsWatcher':
        return wi >= 0 ? TE : SKIP;
      case 'timerAfterNaN': case 'timerAfterInf':
        return needLoop(RO);
      case 'timerAfterHuge': case 'timerRepeatHuge': case 'periodicOffsetHuge': case 'sleepHuge':
        if (what === 'sleepHuge' && this.stack.length > 0) return SKIP;
        return this.skipped('max-time') ? SKIP : needLoop(RO);
      case 'timerRepeatNeg': case 'periodicIntervalNeg': case 'prioHigh': case 'prioFrac': case 'ioFdNeg':
      case 'ioEvents7':
        return needLoop(what === 'ioEvents7' ? RV : RO);
      case 'signalKill': case 'signal99': case 'signalName': case 'statEmpty':
        return needLoop(what === 'signal99' ? RO : RV);
      case 'startNoFn':
        return needW(TE);
      case 'loopFlags0x100': case 'loopPtrUnknown':
        return RV;
      case 'loopFlagsNeg':
        return RO;
      case 'loopFlagsName':
        return TE;
      case 'loopPtrType':
        return TE;
      case 'breakHow':
        return needLoop(RV);
      case 'timerSetAfterNaN': case 'timerSetRepeatNeg':
        return wOk && this.watchers[wi].kind === 'timer' ? RO : SKIP;
      case 'argsNotArray':
        return needW(TE);
    }
  }

  // ------------------------------------------------------------ watcher state changes

  private makePending(w: MWatcher): void {
    if (w.pending) return;
    w.pending = true;
    const it = this.cores[w.core].iter;
    if (it !== null && it.phase !== 'done') it.pend[pi(w.prio)].add(w.id);
  }

  private unqueue(w: MWatcher): void {
    const it = this.cores[w.core].iter;
    if (it !== null) it.pend[pi(w.prio)].delete(w.id);
  }

  private closeWatcher(w: MWatcher): void {
    if (w.closed) return;
    w.closed = true;
    w.active = false;
    w.pending = false;
    w.hasCb = false;
    w.owed = false;
    w.uncertain = false;
    w.rearmed = false;
    w.repeatRace = false;
    this.unqueue(w);
  }

  private destroyCore(c: MCore): void {
    c.destroyed = true;
    for (const w of this.watchers) if (w.core === c.id) this.closeWatcher(w);
    for (const id of c.queue) this.callbacks[id].state = 'stopped';
    c.queue = [];
    c.attached = false;
    c.refCalls = 0;
    for (const l of this.loops) if (l.core === c.id) l.retired = true;
    if (c.iter !== null) c.iter.loopDone = true;
  }

  ioReady(w: MWatcher): boolean {
    if (w.end === 'w') return (w.events & 2) !== 0;
    return (w.events & 1) !== 0 && this.pipeData[w.pipe];
  }

  /** Whether a poll of the loop could make this active watcher fire. */
  private mayFireAttached(w: MWatcher): boolean {
    switch (w.kind) {
      case 'timer': case 'periodic': return w.due;
      case 'io': return this.ioReady(w);
      case 'signal': case 'async': case 'stat': return w.flag;
      case 'fork': return w.flag || this.cores[w.core].forkMaybe;
      case 'prepare': case 'check': case 'idle': return true;
    }
  }

  private mustFireAttached(w: MWatcher): boolean {
    switch (w.kind) {
      case 'prepare': case 'check': return false; // needs the loop to wake up
      case 'idle': return !this.idleStarved(w);
      case 'io': return this.ioReady(w);
      case 'fork': return w.flag;
      default: return this.mayFireAttached(w);
    }
  }

  /** An idle that level-triggered io or a higher idle may keep from ever running. */
  private idleStarved(w: MWatcher): boolean {
    return this.watchers.some(
      (o) => o !== w && o.core === w.core && o.active && !o.closed && o.prio >= w.prio &&
        ((o.kind === 'io' && this.ioReady(o)) || (o.kind === 'idle' && o.prio > w.prio)),
    );
  }

  // ------------------------------------------------------------ blocking run

  /** A run op: its expectation, and whether the executor must downgrade the mode. */
  runStart(op: Extract<Op, { k: 'run' }>): { expect: Expect; core?: MCore; mode?: 'nowait' | 'once' | 'default' } {
    const l = this.loopIndex(op.loop);
    if (l < 0) return { expect: SKIP };
    const loop = this.loops[l];
    const c = this.cores[loop.core];
    if (loop.retired || c.destroyed) return { expect: destroyedError() };
    if (c.attached) return { expect: throws('EvError', 'ERR_EVKIT_LOOP_ATTACHED') };
    if (c.iter !== null || this.inDetachingDelivery(c)) return { expect: SKIP }; // no recursive run of one loop
    let mode = op.mode;
    if (mode === 'once' && !this.pollCertain(c)) mode = 'nowait';
    if (mode === 'once' && c.everAttached && this.skipped('once-after-detach')) mode = 'nowait';
    if (mode === 'default' && !this.defaultSafe(c)) mode = 'nowait';
    c.iter = {
      phase: 'entry', pend: Array.from({ length: NPRI }, () => new Set<number>()), drainDue: false, draining: false,
      loopDone: false, reinitEarly: false, mode, errors: 0, optional: new Set<number>(), pipeMaybe: false, maybe: new Set<number>(),
    };
    for (const w of this.watchers) if (w.core === c.id && w.pending && !w.closed) c.iter.pend[pi(w.prio)].add(w.id);
    return { expect: OK, core: c, mode };
  }

  /** With no JS before the poll, something is certain to be ready (so `once` cannot block). */
  private pollCertain(c: MCore): boolean {
    const mine = this.watchers.filter((w) => w.core === c.id && !w.closed);
    if (c.queue.length > 0 || mine.some((w) => w.pending)) return false;
    if (mine.some((w) => w.active && (w.kind === 'prepare' || (w.kind === 'fork' && (c.postfork || c.forkMaybe))))) return false;
    if (this.refCount(c) === 0) return true; // nothing keeps it: libev does not block
    return mine.some((w) => w.active && w.kind !== 'check' && w.kind !== 'fork' && this.mayFireAttached(w));
  }

  private defaultSafe(c: MCore): boolean {
    if (this.refCount(c) !== 0) return false;
    // nothing may run JavaScript that could keep the loop going
    return !this.watchers.some((w) => w.core === c.id && !w.closed && (w.active || w.pending));
  }

  private enterPhase(c: MCore, it: Iter, phase: Phase): void {
    it.phase = phase;
    it.optional.clear();
    const add = (w: MWatcher): void => {
      w.pending = true;
      it.pend[pi(w.prio)].add(w.id);
    };
    const mine = this.watchers.filter((w) => w.core === c.id && !w.closed);
    if (phase === 'fork') {
      if (c.postfork) {
        for (const w of mine) if (w.kind === 'fork' && w.active) add(w);
        it.reinitEarly = false;
      } else if (c.forkMaybe) {
        for (const w of mine) if (w.kind === 'fork' && w.active) it.optional.add(w.id);
      }
    } else if (phase === 'prepare') {
      for (const w of mine) if (w.kind === 'prepare' && w.active) add(w);
      it.drainDue = true;
    } else if (phase === 'poll') {
      // loop_fork (libev feeds its internal pipe watcher at MAXPRI, so no idle runs in this iteration);
      // evkit asks again for a reinit libev would lose
      const forked = c.postfork;
      const noise = c.noise || c.forkMaybe;
      it.pipeMaybe = forked || noise;
      c.noise = false;
      c.forkMaybe = false;
      c.postfork = it.reinitEarly;
      for (const w of mine) {
        if (!w.active) continue;
        let ready = false;
        if (w.kind === 'timer' || w.kind === 'periodic') ready = w.due;
        else if (w.kind === 'io') ready = this.ioReady(w);
        else if (w.kind === 'signal' || w.kind === 'async' || w.kind === 'stat') ready = w.flag;
        if (!ready && w.flagMaybe && !c.attached) it.maybe.add(w.id);
        if (w.kind === 'signal' || w.kind === 'async' || w.kind === 'stat') w.flagMaybe = false;
        if (!ready) continue;
        if (w.kind === 'async' || w.kind === 'signal' || w.kind === 'stat') w.flag = false;
        if (isOneShotKind(w)) w.active = false; // libev stops a one-shot before its callback
        else if (w.kind === 'timer') w.due = false; // re-armed `repeat` from now
        add(w);
      }
      // idle_reify: the highest priority with idles, unless something of that or higher priority is pending
      const repair = it.reinitEarly; // evkit's 0 s fork-repair timer (priority 0) is pending too
      // callbacks queued after this iteration's drain: evkit's 0 s timer (priority 0, gevent's timer0)
      // keeps the poll from blocking and is pending now
      const timer0 = c.queue.length > 0;
      for (let p = NPRI - 1; p >= 0 && !forked; p--) {
        if (it.pend[p].size > 0 || ((repair || timer0) && p === pi(0))) break;
        const idles = mine.filter((w) => w.kind === 'idle' && w.active && pi(w.prio) === p);
        if (idles.length > 0) {
          if (noise) idles.forEach((w) => it.optional.add(w.id));
          else idles.forEach(add);
          break;
        }
      }
      for (const w of mine) if (w.kind === 'check' && w.active) add(w);
    }
  }

  private highest(it: Iter): number {
    for (let p = NPRI - 1; p >= 0; p--) if (it.pend[p].size > 0) return p;
    return -1;
  }

  private drainEligible(c: MCore, it: Iter): boolean {
    if (it.phase !== 'prepare' || !it.drainDue || c.queue.length === 0) return false;
    if (it.draining) return true;
    const h = this.highest(it);
    return h < pi(0);
  }

  /** Moves the iteration on until `accept` holds; a message when libev would not get there. */
  private advance(c: MCore, it: Iter, accept: () => boolean, what: string): string | null {
    for (;;) {
      if (accept()) return null;
      if (it.draining && c.queue.length > 0) return `${what} ran while the runCallback drain had callbacks left`;
      if (it.draining) {
        it.draining = false;
        it.drainDue = false;
        continue;
      }
      if (this.drainEligible(c, it)) return `${what} ran before the runCallback queue [${c.queue.join(',')}] was drained`;
      const h = this.highest(it);
      if (h >= 0) {
        const ids = [...it.pend[h]].map((id) => this.describe(id));
        return `${what} ran while ${ids.join(', ')} (priority ${h - 2}) was pending in phase ${it.phase}`;
      }
      it.drainDue = false;
      switch (it.phase) {
        case 'entry': this.enterPhase(c, it, 'fork'); break;
        case 'fork': this.enterPhase(c, it, 'prepare'); break;
        case 'prepare':
          if (it.loopDone) it.phase = 'done';
          else this.enterPhase(c, it, 'poll');
          break;
        case 'poll': it.phase = 'done'; it.optional.clear(); it.maybe.clear(); break;
        case 'done': return `${what} ran after the iteration was over`;
      }
    }
  }

  describe(id: number): string {
    const w = this.watchers[id];
    return `w${id}(${w.kind} p${w.prio})`;
  }

  /** A watcher's callback is about to run; null when allowed. */
  fire(id: number): string | null {
    const w = this.watchers[id];
    const c = this.cores[w.core];
    if (w.closed || c.destroyed) return `${this.describe(id)} fired after close/destroy`;
    if (!w.hasCb) return `${this.describe(id)} fired without a callback`;
    let err: string | null = null;
    if (!c.attached) {
      const it = c.iter;
      if (it === null) return `${this.describe(id)} fired outside run()`;
      if (it.draining && c.queue.length === 0) {
        // the drain returned: callbacks queued from now on wait for the next iteration
        it.draining = false;
        it.drainDue = false;
      }
      err = this.advance(c, it, () => {
        if (it.optional.has(id)) {
          // libev did queue the idles after all
          for (const o of it.optional) {
            this.watchers[o].pending = true;
            it.pend[pi(this.watchers[o].prio)].add(o);
          }
          it.optional.clear();
        }
        const p = pi(w.prio);
        if (it.maybe.delete(id)) {
          // its event had outlived the detach after all
          w.pending = true;
          it.pend[p].add(id);
        }
        return it.pend[p].has(id) && this.highest(it) === p && !this.drainEligible(c, it);
      }, this.describe(id));
      if (err !== null) return err;
      if (it.optional.size > 0 && w.prio < this.watchers[[...it.optional][0]].prio) it.optional.clear(); // not queued
      if (it.phase === 'prepare' && w.prio < 0) it.drainDue = false; // the drain prepare (priority 0) is behind
      it.pend[pi(w.prio)].delete(id);
      w.pending = false;
    } else {
      // Timing decides which events an active watcher sees on an attached loop (coalescing feeds with
      // expiries, readiness seen before a drain, ...): only a stopped, non-pending watcher must stay quiet.
      const allowed = w.pending || w.uncertain || w.grace || w.active;
      const extra = w.grace;
      w.grace = false;
      if (!allowed) return `${this.describe(id)} fired on an attached loop though it could not (active=${w.active})`;
      if (w.kind === 'async' || w.kind === 'signal' || w.kind === 'stat') {
        // one delivery takes whatever was set when the loop thread looked; later events set the flag again
        const n = w.unseen + (w.pending ? 1 : 0);
        w.flagMaybe = n >= 2 || (n === 1 && w.flagMaybe);
        w.unseen = 0;
      }
      if (w.pending) {
        // a fed event; libev may have coalesced a due event with it: one more delivery may follow, or not
        w.pending = false;
        if (extra && w.uncertain) w.grace = true; // a restart's extra delivery is still allowed
        if (extra && !w.active) {
          // fed twice and the loop thread took the first feed alone: the second may still follow, and
          // until it does evkit keeps the callback; settle adopts what happened
          w.grace = true;
          w.uncertain = true;
        }
        if (w.kind === 'timer' && w.active && w.due && w.t2 > 0) {
          w.due = false;
          w.grace = true;
        }
        if ((w.kind === 'async' || w.kind === 'signal' || w.kind === 'stat' || w.kind === 'fork') && w.flag) {
          w.flag = false;
          w.grace = true;
        }
      } else {
        if (w.uncertain) {
          // a repeat set meanwhile may have re-armed it: then settle adopts what happened
          if (w.t2 === 0 && !extra && !w.repeatRace) {
            w.uncertain = false;
            w.rearmed = false;
            w.active = false;
          }
        } else if (w.active && isOneShotKind(w) && (w.due || extra)) {
          // a graced extra delivery of a timer is its expiry, under the repeat set now
          w.active = false;
        }
        if (w.active && w.kind === 'timer' && w.due) w.due = false;
        if (w.kind === 'async' || w.kind === 'signal' || w.kind === 'stat' || w.kind === 'fork') w.flag = false;
      }
      w.owed = false;
    }
    this.stack.push({ core: c.id, w: id, active: w.active, attached: c.attached });
    return null;
  }

  /** The callback of a fired watcher returned (or threw). */
  fireEnd(id: number, threw: boolean): void {
    const frame = this.stack.pop();
    const w = this.watchers[id];
    const c = this.cores[w.core];
    if (threw) {
      this.reportError(c, frame?.attached === true);
      if (w.kind === 'io' && !w.closed && !c.destroyed) {
        w.active = false; // evkit stop()s it, which releases the callback too
        w.pending = false;
        w.hasCb = false;
        w.owed = false; // readiness its own body created is moot now
        w.grace = false;
        this.unqueue(w);
      }
    }
    // evkit releases callback and args of a watcher libev had stopped before the call
    if (!w.closed && frame !== undefined && !frame.active && !w.active && !w.pending && !w.uncertain) w.hasCb = false;
  }

  callbackRuns(cbId: number): string | null {
    const cb = this.callbacks[cbId];
    const c = this.cores[cb.core];
    if (cb.state !== 'queued') return `runCallback #${cbId} ran while ${cb.state}`;
    if (c.queue[0] !== cbId) return `runCallback #${cbId} ran out of FIFO order (queue ${c.queue.join(',')})`;
    if (!c.attached) {
      const it = c.iter;
      if (it === null) return `runCallback #${cbId} ran outside run()`;
      const err = this.advance(c, it, () => this.drainEligible(c, it), `runCallback #${cbId}`);
      if (err !== null) return err;
      it.draining = true;
    }
    c.queue.shift();
    cb.state = 'ran';
    this.stack.push({ core: c.id, w: -1 - cbId, active: false, attached: c.attached });
    return null;
  }

  callbackEnd(cbId: number, threw: boolean): void {
    const frame = this.stack.pop();
    if (threw) this.reportError(this.cores[this.callbacks[cbId].core], frame?.attached === true);
  }

  /** The running callback was delivered by an attached loop that it detached (known divergence: error-after-detach). */
  detachedInOwnDelivery(): boolean {
    const top = this.stack[this.stack.length - 1];
    return top !== undefined && top.attached && !this.cores[top.core].attached;
  }

  private reportError(c: MCore, delivered: boolean): void {
    if (c.handler) {
      c.handled++;
      return;
    }
    if (c.attached || delivered) {
      c.uncaught++;
      return;
    }
    if (c.iter !== null) {
      c.iter.errors++;
      c.iter.loopDone = true;
    }
  }

  /** The real run() returned: what the rest of the iteration still owed, and what run() must report. */
  runFinish(c: MCore): { missing: string | null; errors: number; more: boolean } {
    const it = c.iter as Iter;
    let missing: string | null = null;
    if (!c.destroyed) {
      missing = this.advance(c, it, () => it.phase === 'done', 'the end of run()');
      if (missing !== null) missing = `run() returned early: ${missing}`;
    }
    c.iter = null;
    // everything queued in the iteration has run (or divergence was reported)
    for (const w of this.watchers) if (w.core === c.id && w.pending && it.pend[pi(w.prio)].has(w.id)) w.pending = false;
    // evkit's run() result: whether active watchers or queued callbacks remain
    return { missing, errors: it.errors, more: !c.destroyed && (this.activeCount(c) > 0 || c.queue.length > 0) };
  }

  /** After a settle: adopt what timing decided for one-shots that may or may not have fired. */
  resolveUncertain(realActive: (id: number) => boolean, realHasCb: (id: number) => boolean): void {
    for (const w of this.watchers) {
      if (!w.uncertain || w.closed || w.owed) continue;
      // a fed delivery may have come ahead of an expiry the loop thread has not handled yet
      if (w.grace && isOneShotKind(w) && realActive(w.id)) continue;
      const rearmed = w.rearmed;
      w.rearmed = false;
      w.repeatRace = false;
      // a restart re-armed a one-shot whose first expiry was delivered: the new expiry is still to come,
      // and a feed meanwhile may coalesce with it, so it stays uncertain until that delivery
      if (rearmed && this.cores[w.core].attached && isOneShotKind(w) && this.dueAtStart(w) && realActive(w.id)) {
        w.rearmed = true;
        w.owed = this.mustFireAttached(w);
        continue;
      }
      w.uncertain = false;
      w.active = realActive(w.id);
      w.hasCb = realHasCb(w.id);
      // a coalesced feed may still be followed by the expiry's own delivery
      if (!w.active) w.grace = true;
    }
  }

  /** After detach(): the loop thread may have left watchers pending; adopt what it did. */
  resolveDetached(core: number, realPending: (id: number) => boolean): void {
    for (const w of this.watchers) if (w.core === core && !w.closed) w.pending = realPending(w.id);
  }

  /** Attached loops: the watchers and callbacks that must still run. */
  obligations(): string[] {
    const out: string[] = [];
    for (const c of this.cores) {
      if (!c.attached || c.destroyed) continue;
      for (const id of c.queue) out.push(`runCallback #${id}`);
      for (const w of this.watchers) {
        if (w.core !== c.id || w.closed || !w.owed) continue;
        if (w.kind === 'idle' && this.idleStarved(w)) w.owed = false;
        else out.push(this.describe(w.id));
      }
    }
    return out;
  }
}

export type { Body };
