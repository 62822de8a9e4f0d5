// Io watchers with the fd table full (a child with RLIMIT_NOFILE 1100, so the
// watched socketpair sits above select's FD_SETSIZE): on loops of each backend
// made before the table filled up, blocking and attached, and on poll/select
// loops made with 0, 1, 2 or 8 fds free. Every case sees write-then-read
// readiness or reports an EvError naming EMFILE (from new Loop() or on the
// loop's error path); none aborts, hangs or spins.
import { describe, expect, it } from 'vitest';
import { expectWorksOrEmfile, fdLimitCases } from '@evkit/test-utils';

describe.runIf(process.platform === 'linux')('Io with the fd table full', () => {
  it('sees readiness or fails with an EvError naming EMFILE', () => {
    const [first, ...cases] = fdLimitCases(new URL('./fixtures/fd-limit.mjs', import.meta.url), {
      nofile: 1100,
      timeoutMs: 90_000,
      quiet: true,
    });
    const pair = first!.pair as number[];
    expect(Math.min(...pair)).toBeGreaterThanOrEqual(1024);
    expect(cases).toHaveLength(6 + 16);
    expectWorksOrEmfile(cases, (c) => expect(c.seen, JSON.stringify(c)).toEqual(['write', 'read']), {
      mustWork: (c) => c.case === 'made-before' || c.free === 8,
      mustFail: (c) => c.free === 0,
    });
  }, 120_000);
});
