// Running out of file descriptors while making loops: with 0, 1, 2, … free
// fds, each backend either gives a working loop (blocking and attached) or an
// EvError that names EMFILE — never an abort, a hang or a spin. Children run
// with a low RLIMIT_NOFILE; the timeout is only a hang detector.
import { describe, expect, it } from 'vitest';
import { expectWorksOrEmfile, fdLimitCases } from '@evkit/test-utils';

const fixture = new URL('./fixtures/fd-limit.mjs', import.meta.url);

describe.runIf(process.platform === 'linux')('loops with the fd table (nearly) full', () => {
  it.each(['epoll', 'poll', 'select'])('%s: each step makes a working loop or throws an EvError naming EMFILE', (backend) => {
    const steps = fdLimitCases(fixture, { args: [backend], nofile: 128, timeoutMs: 40_000 });
    expect(steps.map((s) => s.free)).toEqual([0, 1, 2, 3, 4, 8]);
    expectWorksOrEmfile(
      steps,
      (s) => {
        expect(s, JSON.stringify(s)).toMatchObject({ created: true, backend, blocking: 1, attached: 1 });
        expect(s.error).toBeUndefined();
      },
      // A loop that was made works; with no fd free none is made, with eight one is.
      { mustWork: (s) => s.created === true || s.free === 8, mustFail: (s) => s.free === 0 },
    );
    expect(steps[0]!.created).toBe(false);
  }, 60_000);
});
