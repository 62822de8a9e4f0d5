// evkit's C API entry by entry (through the test-only addon's probes): what
// libev would assert on, another loop, another thread and a destroyed loop
// each get a status, never an abort.
import { nativeApi } from '@evkit/core-native';
import { Loop } from '@evkit/loop';
import { testing } from '@evkit/native-testing';
import { describe, expect, it } from 'vitest';

const EINVAL = -22;
const EBADF = -9;
const ENOENT = -2;
const EPERM = -1;
const EBUSY = -16;

describe.each([
  ['blocking', () => new Loop()],
  ['attached', () => new Loop().attach()],
])('the C API on a %s loop', (_mode, makeLoop) => {
  it('refuses what libev would abort on, other loops and other threads', () => {
    const loop = makeLoop();
    const other = new Loop();
    const r = testing.apiProbe(nativeApi, loop.ptr, other.ptr);
    expect(r).toEqual({
      ioClosedFd: EBADF,
      ioNegativeFd: EINVAL,
      ioBadEvents: EINVAL,
      ioStart: 0,
      ioStop: 0,
      timerNegativeRepeat: EINVAL,
      timerNaN: EINVAL,
      timerAgainNegative: EINVAL,
      timerNoCallback: EINVAL,
      timerStart: 0,
      timerRemaining: expect.closeTo(100, 0),
      timerOnOtherLoop: EBUSY,
      timerStopOnOtherLoop: EINVAL,
      unrefOne: 0,
      unrefTwo: EINVAL,
      ref: 0,
      refAgain: EINVAL,
      timerStop: 0,
      timerStopAgain: 0,
      timerRemainingStopped: NaN,
      periodicReschedule: EINVAL,
      periodicNegativeInterval: EINVAL,
      feedUntracked: EINVAL,
      clearPendingUntracked: EINVAL,
      stopUntracked: 0,
      idleStart: 0,
      lock: 0,
      feed: 0,
      clearPending: 0x01000000, // EV_CUSTOM
      unlock: 0,
      idleStop: 0,
      cleanupStart: 0,
      unrefCleanupOnly: EINVAL,
      cleanupStop: 0,
      breakBadHow: EINVAL,
      releaseWithoutHold: EINVAL,
      unlockWithoutLock: EINVAL,
      postNoCallback: EINVAL,
      nullLoop: EINVAL,
      unknownLoop: ENOENT,
      nowIsFinite: 1,
      asyncStart: 0,
      otherThread: EPERM,
      asyncSendOtherThread: 0,
      asyncStop: 0,
    });
    expect(loop.refCount).toBe(0);
    loop.destroy();
    other.destroy();
  });

  it('destroy() stops the watchers an addon left active; later calls only mark them stopped', () => {
    const loop = makeLoop();
    const ptr = loop.ptr;
    expect(testing.apiLeave(nativeApi, ptr)).toBe(0);
    loop.destroy();
    expect(testing.apiAfterDestroy(nativeApi, ptr)).toEqual({
      activeAfterDestroy: 0,
      asyncSend: ENOENT,
      timerStart: ENOENT,
      stops: 0,
      hold: ENOENT,
    });
  });
});
