// Stat watchers with the fd table full (a child with a low RLIMIT_NOFILE), so
// inotify_init() fails: on loops of each backend made before, blocking and
// attached, on a loop whose inotify fd already exists, and on loops made with
// 0, 1, 2 or 8 fds free. Every case sees the change (polling stands in for
// inotify) or fails with an EvError naming EMFILE; none aborts, hangs or spins.
import { describe, expect, it } from 'vitest';
import { expectEmfileError, jsonLines, runFixture } from '@evkit/test-utils';

describe.runIf(process.platform === 'linux')('Stat with the fd table full', () => {
  it('sees changes or fails with an EvError naming EMFILE', () => {
    const result = runFixture(new URL('./fixtures/fd-limit.mjs', import.meta.url), { nofile: 128, timeoutMs: 90_000 });
    const lines = jsonLines(result.stdout);
    const where = `reached: ${JSON.stringify(lines.at(-1))}; stderr: ${result.stderr.slice(0, 300)}`;
    expect(result.signal, `killed (hang, or an output flood) — ${where}`).toBe(null);
    expect(result.status, where).toBe(0);
    expect(lines.at(-1)).toEqual({ done: true });
    const cases = lines.slice(0, -1);
    expect(cases).toHaveLength(7 + 8);
    for (const c of cases) {
      if (c.error === undefined) expect(c.calls, JSON.stringify(c)).toBe(1);
      else expectEmfileError(c.error, JSON.stringify(c));
    }
    for (const c of cases.filter((c) => c.case !== 'made-at-limit')) expect(c.calls, JSON.stringify(c)).toBe(1);
    for (const c of cases.filter((c) => c.free === 0)) expectEmfileError(c.error, JSON.stringify(c));
    for (const c of cases.filter((c) => c.free === 8)) expect(c.calls).toBe(1);
  }, 120_000);
});
