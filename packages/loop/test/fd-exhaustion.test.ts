// Running out of file descriptors while making loops: with 0, 1, 2, … free
// fds, each backend either gives a working loop (blocking and attached) or an
// EvError that names EMFILE — never an abort, a hang or a spin. Children run
// with a low RLIMIT_NOFILE; the timeout is only a hang detector.
import { describe, expect, it } from 'vitest';
import { expectEmfileError, jsonLines, runFixture } from '@evkit/test-utils';

const fixture = new URL('./fixtures/fd-limit.mjs', import.meta.url);

describe.runIf(process.platform === 'linux')('loops with the fd table (nearly) full', () => {
  it.each(['epoll', 'poll', 'select'])('%s: each step makes a working loop or throws an EvError naming EMFILE', (backend) => {
    const result = runFixture(fixture, { args: [backend], nofile: 128, timeoutMs: 40_000 });
    const lines = jsonLines(result.stdout);
    const where = `reached: ${JSON.stringify(lines.at(-1))}; stderr: ${result.stderr.slice(0, 300)}`;
    expect(result.signal, `killed (hang, or an output flood) — ${where}`).toBe(null);
    expect(result.status, where).toBe(0);
    expect(lines.at(-1)).toEqual({ done: true });
    const steps = lines.slice(0, -1);
    expect(steps.map((s) => s.free)).toEqual([0, 1, 2, 3, 4, 8]);
    for (const s of steps) {
      if (s.created) {
        expect(s, JSON.stringify(s)).toMatchObject({ backend, blocking: 1, attached: 1 });
        expect(s.error).toBeUndefined();
      } else {
        expectEmfileError(s.error, JSON.stringify(s));
      }
    }
    // With no fd free nothing can work; with eight everything does.
    expect(steps[0]!.created).toBe(false);
    expect(steps.at(-1)!.created).toBe(true);
  }, 60_000);
});
