// A SIGUSR2 flood (10 bursts, each 200 from process.kill() plus 200 from an
// external `kill` loop at the same time) into Signal watchers on four loops —
// Loop.default, two more attached loops, a blocking loop — and a
// process.on('SIGUSR2') listener, in a child process. Every watcher and the
// listener fire at least once per burst; nothing aborts or hangs.
import { describe, expect, it } from 'vitest';
import { jsonLines, runFixture } from '@evkit/test-utils';

interface Burst {
  burst: number;
  timedOut: boolean;
  seen: Record<string, number>;
}

describe.runIf(process.platform === 'linux')('a signal flood into four loops and a Node listener', () => {
  it('every watcher and the listener fire in every burst; no abort, no hang', () => {
    const result = runFixture(new URL('./fixtures/flood.mjs', import.meta.url), { args: ['10', '200'], timeoutMs: 120_000 });
    expect(result.signal, result.stderr).toBe(null);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [out] = jsonLines(result.stdout) as Array<{ bursts: Burst[]; totals: Record<string, number> }>;
    expect(out!.bursts).toHaveLength(10);
    for (const b of out!.bursts) {
      expect(b.timedOut, JSON.stringify(b)).toBe(false);
      for (const who of ['default', 'attached1', 'attached2', 'blocking', 'listener']) {
        expect(b.seen[who], `${who} in burst ${b.burst}: ${JSON.stringify(b)}`).toBeGreaterThanOrEqual(1);
      }
    }
  }, 150_000);
});
