// Stat watchers with the fd table full (a child with a low RLIMIT_NOFILE), so
// inotify_init() fails: on loops of each backend made before, blocking and
// attached, on a loop whose inotify fd already exists, and on loops made with
// 0, 1, 2 or 8 fds free. Every case sees the change (polling stands in for
// inotify) or fails with an EvError naming EMFILE; none aborts, hangs or spins.
import { describe, expect, it } from 'vitest';
import { expectWorksOrEmfile, fdLimitCases } from '@evkit/test-utils';

describe.runIf(process.platform === 'linux')('Stat with the fd table full', () => {
  it('sees changes or fails with an EvError naming EMFILE', () => {
    const cases = fdLimitCases(new URL('./fixtures/fd-limit.mjs', import.meta.url), { nofile: 128, timeoutMs: 90_000 });
    expect(cases).toHaveLength(7 + 8);
    expectWorksOrEmfile(cases, (c) => expect(c.calls, JSON.stringify(c)).toBe(1), {
      mustWork: (c) => c.case !== 'made-at-limit' || c.free === 8,
      mustFail: (c) => c.free === 0,
    });
  }, 120_000);
});
