// Async watchers with the fd table full (a child with a low RLIMIT_NOFILE): on
// loops of each backend made before it filled up, blocking and attached, and
// on loops made with 0, 1, 2 or 8 fds free. Every case delivers its send or
// fails with an EvError naming EMFILE; none aborts, hangs or spins.
import { describe, expect, it } from 'vitest';
import { expectWorksOrEmfile, fdLimitCases } from '@evkit/test-utils';

describe.runIf(process.platform === 'linux')('Async with the fd table full', () => {
  it('delivers sends or fails with an EvError naming EMFILE', () => {
    const cases = fdLimitCases(new URL('./fixtures/fd-limit.mjs', import.meta.url), { nofile: 128, timeoutMs: 60_000 });
    expect(cases).toHaveLength(6 + 8);
    expectWorksOrEmfile(cases, (c) => expect(c.calls, JSON.stringify(c)).toBe(1), {
      // Loops made before the table filled up keep working; with no fd there is
      // no loop, with eight free it works.
      mustWork: (c) => c.case === 'made-before' || c.free === 8,
      mustFail: (c) => c.free === 0,
    });
  }, 90_000);
});
