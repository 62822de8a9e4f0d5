// Io watchers with the fd table full (a child with RLIMIT_NOFILE 1100, so the
// watched socketpair sits above select's FD_SETSIZE): on loops of each backend
// made before the table filled up, blocking and attached, and on poll/select
// loops made with 0, 1, 2 or 8 fds free. Every case sees write-then-read
// readiness or reports an EvError naming EMFILE (from new Loop() or on the
// loop's error path); none aborts, hangs or spins.
import { describe, expect, it } from 'vitest';
import { expectEmfileError, jsonLines, runFixture } from '@evkit/test-utils';

describe.runIf(process.platform === 'linux')('Io with the fd table full', () => {
  it('sees readiness or fails with an EvError naming EMFILE', () => {
    const result = runFixture(new URL('./fixtures/fd-limit.mjs', import.meta.url), { nofile: 1100, timeoutMs: 90_000 });
    const lines = jsonLines(result.stdout);
    const where = `reached: ${JSON.stringify(lines.at(-1))}; stderr: ${result.stderr.slice(0, 300)}`;
    expect(result.signal, `killed (hang, or an output flood) — ${where}`).toBe(null);
    expect(result.status, where).toBe(0);
    expect(result.stderr).toBe('');
    expect(lines.at(-1)).toEqual({ done: true });
    const pair = lines[0]!.pair as number[];
    expect(Math.min(...pair)).toBeGreaterThanOrEqual(1024);
    const cases = lines.slice(1, -1);
    expect(cases).toHaveLength(6 + 16);
    for (const c of cases) {
      if (c.error === undefined) expect(c.seen, JSON.stringify(c)).toEqual(['write', 'read']);
      else expectEmfileError(c.error, JSON.stringify(c));
    }
    for (const c of cases.filter((c) => c.case === 'made-before')) expect(c.seen, JSON.stringify(c)).toEqual(['write', 'read']);
    for (const c of cases.filter((c) => c.free === 0)) expectEmfileError(c.error, JSON.stringify(c));
    for (const c of cases.filter((c) => c.free === 8)) expect(c.seen).toEqual(['write', 'read']);
  }, 120_000);
});
