// fast-check arbitraries for op sequences. Context-free on purpose: object
// references are small integers resolved modulo what exists (see ops.ts), so
// fast-check can shrink any part of a sequence without breaking it.
import fc from 'fast-check';
import type { BadArg, Body, Member, Op, Sequence, WatcherKind } from './ops.js';

const loopRef = fc.nat(5);
const wRef = fc.nat(40);

const BAD_ARGS: BadArg[] = [
  'timerAfterString', 'timerAfterNaN', 'timerAfterInf', 'timerAfterHuge', 'timerRepeatNeg', 'timerRepeatHuge',
  'periodicOffsetHuge', 'periodicIntervalNeg', 'periodicIntervalString', 'prioHigh', 'prioFrac', 'prioString',
  'refString', 'optionsNumber', 'ioFdNeg', 'ioFdString', 'ioEvents7', 'ioEventsX', 'signalKill', 'signal99',
  'signalName', 'statEmpty', 'statNumber', 'startNoFn', 'loopNotLoop', 'loopIsWatcher', 'loopFlags0x100',
  'loopFlagsNeg', 'loopFlagsType', 'loopFlagsName', 'loopPtrUnknown', 'loopPtrType', 'breakHow', 'runNowaitType',
  'runOptionsType', 'runCallbackNoFn', 'errorHandlerType', 'feedString', 'timerSetAfterNaN', 'timerSetRepeatNeg',
  'argsNotArray', 'sleepHuge', 'sleepString',
];

const MEMBERS: Member[] = [
  'active', 'pending', 'priority', 'setPriority', 'callback', 'setCallback', 'args', 'setArgs', 'start', 'stop',
  'ref', 'unref', 'hasRef', 'feed', 'kindGet', 'kindSet',
];

const KIND_WEIGHTS: Array<[WatcherKind, number]> = [
  ['timer', 5], ['periodic', 2], ['io', 4], ['signal', 2], ['async', 3], ['fork', 2], ['stat', 1],
  ['prepare', 3], ['check', 3], ['idle', 3],
];

const prio = fc.option(fc.integer({ min: -2, max: 2 }), { nil: undefined, freq: 2 });
const ref = fc.option(fc.boolean(), { nil: undefined, freq: 2 });

const newWatcher: fc.Arbitrary<Op> = fc
  .record({
    kind: fc.constantFrom(...KIND_WEIGHTS.flatMap(([k, n]) => Array<WatcherKind>(n).fill(k))),
    loop: loopRef,
    prio,
    ref,
    timerAfter: fc.constantFrom(-0.5, -0.5, 1e4, 2e10),
    timerRepeat: fc.constantFrom(0, 0, 1e4),
    periodicOffset: fc.constantFrom(0, 1e9, 1e10, 1e300),
    periodicInterval: fc.constantFrom(0, 0, 1e9),
    pipe: fc.nat(1),
    end: fc.constantFrom<'r' | 'w'>('r', 'r', 'w'),
    events: fc.constantFrom<1 | 2 | 3>(1, 1, 2, 3),
    sig: fc.constantFrom<'SIGUSR2' | 'SIGWINCH'>('SIGUSR2', 'SIGWINCH'),
  })
  .map((r): Op => {
    const op: Extract<Op, { k: 'new' }> = { k: 'new', kind: r.kind, loop: r.loop };
    if (r.prio !== undefined) op.prio = r.prio;
    if (r.ref !== undefined) op.ref = r.ref;
    if (r.kind === 'timer') [op.t1, op.t2] = [r.timerAfter, r.timerRepeat];
    if (r.kind === 'periodic') [op.t1, op.t2] = [r.periodicOffset, r.periodicInterval];
    if (r.kind === 'io') op.io = { pipe: r.pipe, end: r.end, events: r.events };
    if (r.kind === 'signal') op.sig = r.sig;
    return op;
  });

function body(depth: number): fc.Arbitrary<Body | undefined> {
  if (depth <= 0) {
    return fc.option(fc.record({ throws: fc.boolean() }).map((b) => (b.throws ? { throws: true } : {})), { nil: undefined, freq: 4 });
  }
  const ops = fc.array(op(depth - 1, true), { maxLength: 4 });
  return fc.option(
    fc.record({ inner: ops, then: fc.option(ops, { nil: undefined, freq: 3 }), throws: fc.boolean() }).map((b) => {
      const out: Body = {};
      if (b.inner.length > 0) out.inner = b.inner;
      if (b.then !== undefined && b.then.length > 0) out.then = b.then;
      if (b.throws) out.throws = true;
      return out;
    }),
    { nil: undefined, freq: 2 },
  );
}

/** One op; `nested` ops run inside callbacks or promise continuations. */
export function op(depth: number, nested: boolean): fc.Arbitrary<Op> {
  const entries: Array<fc.WeightedArbitrary<Op>> = [
    { weight: nested ? 1 : 3, arbitrary: fc.constantFrom<Op['k']>('newLoop').chain(() =>
      fc.constantFrom<'' | 'poll' | 'select' | 'epoll'>('', '', 'poll', 'select', 'epoll').map((backend): Op => ({ k: 'newLoop', backend }))) },
    { weight: 1, arbitrary: loopRef.map((loop): Op => ({ k: 'view', loop })) },
    { weight: 12, arbitrary: newWatcher },
    { weight: 14, arbitrary: fc.tuple(wRef, body(depth)).map(([w, b]): Op => (b === undefined ? { k: 'start', w } : { k: 'start', w, body: b })) },
    { weight: 4, arbitrary: wRef.map((w): Op => ({ k: 'stop', w })) },
    { weight: 2, arbitrary: wRef.map((w): Op => ({ k: 'close', w })) },
    { weight: 3, arbitrary: fc.tuple(wRef, fc.boolean()).map(([w, on]): Op => ({ k: 'wref', w, on })) },
    { weight: 4, arbitrary: wRef.map((w): Op => ({ k: 'feed', w })) },
    { weight: 2, arbitrary: fc.tuple(wRef, fc.integer({ min: -3, max: 3 })).map(([w, p]): Op => ({ k: 'prio', w, p })) },
    { weight: 2, arbitrary: fc.tuple(wRef, fc.constantFrom<'after' | 'repeat'>('after', 'repeat'), fc.constantFrom(-0.5, 0, 1e4, 2e10)).map(([w, field, v]): Op => ({ k: 'timerSet', w, field, v })) },
    { weight: 2, arbitrary: wRef.map((w): Op => ({ k: 'again', w })) },
    { weight: 2, arbitrary: wRef.map((w): Op => ({ k: 'clearPending', w })) },
    { weight: 2, arbitrary: wRef.map((w): Op => ({ k: 'invoke', w })) },
    { weight: 3, arbitrary: wRef.map((w): Op => ({ k: 'send', w })) },
    { weight: 2, arbitrary: fc.constantFrom<'SIGUSR2' | 'SIGWINCH'>('SIGUSR2', 'SIGWINCH').map((sig): Op => ({ k: 'raise', sig })) },
    { weight: 3, arbitrary: fc.nat(1).map((pipe): Op => ({ k: 'write', pipe })) },
    { weight: 2, arbitrary: fc.nat(1).map((pipe): Op => ({ k: 'drain', pipe })) },
    { weight: 1, arbitrary: fc.constant<Op>({ k: 'touch' }) },
    { weight: 3, arbitrary: fc.tuple(wRef, fc.constantFrom(...MEMBERS)).map(([w, m]): Op => ({ k: 'member', w, m })) },
    { weight: 2, arbitrary: loopRef.map((loop): Op => ({ k: 'lref', loop })) },
    { weight: 2, arbitrary: loopRef.map((loop): Op => ({ k: 'lunref', loop })) },
    { weight: 1, arbitrary: loopRef.map((loop): Op => ({ k: 'verify', loop })) },
    { weight: 1, arbitrary: loopRef.map((loop): Op => ({ k: 'reinit', loop })) },
    { weight: nested ? 2 : 14, arbitrary: fc.tuple(loopRef, fc.constantFrom<'nowait' | 'once' | 'default'>('nowait', 'nowait', 'once', 'default')).map(([loop, mode]): Op => ({ k: 'run', loop, mode })) },
    { weight: nested ? 3 : 1, arbitrary: fc.tuple(loopRef, fc.constantFrom<'one' | 'all' | 'cancel'>('one', 'all', 'cancel')).map(([loop, how]): Op => ({ k: 'break', loop, how })) },
    { weight: 1, arbitrary: loopRef.map((loop): Op => ({ k: 'destroy', loop })) },
    { weight: 5, arbitrary: fc.tuple(loopRef, body(depth)).map(([loop, b]): Op => (b === undefined ? { k: 'runCb', loop } : { k: 'runCb', loop, body: b })) },
    { weight: 2, arbitrary: fc.nat(20).map((cb): Op => ({ k: 'cbStop', cb })) },
    { weight: 1, arbitrary: fc.tuple(loopRef, fc.boolean()).map(([loop, on]): Op => ({ k: 'errHandler', loop, on })) },
    { weight: 2, arbitrary: loopRef.map((loop): Op => ({ k: 'attach', loop })) },
    { weight: 2, arbitrary: loopRef.map((loop): Op => ({ k: 'detach', loop })) },
    { weight: 1, arbitrary: loopRef.map((loop): Op => ({ k: 'runAsync', loop })) },
    { weight: nested ? 0 : 3, arbitrary: fc.constant<Op>({ k: 'settle' }) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...BAD_ARGS), loopRef, wRef).map(([what, loop, w]): Op => ({ k: 'bad', what, loop, w })) },
    { weight: 2, arbitrary: loopRef.map((loop): Op => ({ k: 'counts', loop })) },
  ];
  if (!nested) {
    // Top level only (built here: its inner ops are nested ones).
    const suspend = fc.tuple(loopRef, fc.array(duringSuspension(), { maxLength: 6 }));
    entries.push({ weight: 2, arbitrary: suspend.map(([loop, during]): Op => ({ k: 'suspend', loop, during })) });
  }
  return fc.oneof(...entries.filter((e) => e.weight > 0));
}

// What runs between suspend() and resume(): no op that runs callbacks there
// and then (their bodies could reach the suspended loop out of the model's
// sight), no new loops (references would shift under the resume).
const DURING_SUSPENSION = new Set<Op['k']>([
  'new', 'start', 'stop', 'close', 'wref', 'feed', 'prio', 'timerSet', 'again', 'clearPending', 'send', 'raise',
  'write', 'drain', 'touch', 'member', 'lref', 'lunref', 'verify', 'reinit', 'break', 'destroy', 'runCb', 'cbStop',
  'errHandler', 'attach', 'detach', 'counts',
]);

function duringSuspension(): fc.Arbitrary<Op> {
  return op(0, true).filter((o) => DURING_SUSPENSION.has(o.k));
}

/** A sequence: starts with a loop so that most ops have something to act on. */
export function sequence(maxOps = 60): fc.Arbitrary<Sequence> {
  return fc
    .tuple(fc.constantFrom<'' | 'poll' | 'select' | 'epoll'>('', 'poll', 'select', 'epoll'), fc.array(op(2, false), { minLength: 1, maxLength: maxOps, size: 'max' }))
    .map(([backend, ops]) => ({ ops: [{ k: 'newLoop', backend } as Op, ...ops] }));
}

/** Ops in a sequence, bodies included. */
export function countOps(ops: readonly Op[]): number {
  let n = 0;
  for (const o of ops) {
    n++;
    const b = (o as { body?: Body }).body;
    if (b?.inner) n += countOps(b.inner);
    if (b?.then) n += countOps(b.then);
    if (o.k === 'suspend') n += countOps(o.during);
  }
  return n;
}
