// 100 rounds of a worker with an attached loop and an Async watcher being
// terminate()d while sends pour in, from the main thread (odd rounds) or from
// a second worker (even rounds). No crash, no hang: every terminate()
// resolves, every sender sees true, then false for good, and the thread count
// comes back to where it started. A child process, so the threads counted are
// this scenario's only.
import { describe, expect, it } from 'vitest';
import { jsonLines, runFixture } from '@evkit/test-utils';

interface Round {
  round: number;
  by: 'main' | 'worker';
  code: number;
  trues: number;
  falses: number;
  trueAfterFalse: number;
  calls: number;
}

describe('workers with attached loops terminated mid-send', () => {
  it('100 rounds: no crash, no hang, senders go false for good, threads come back', () => {
    const result = runFixture(new URL('./fixtures/terminate-mid-send.mjs', import.meta.url), {
      args: ['100'],
      timeoutMs: 400_000,
    });
    expect(result.signal, result.stderr).toBe(null);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [out] = jsonLines(result.stdout) as Array<{ baseline: number; after: number; results: Round[] }>;
    expect(out!.results).toHaveLength(100);
    for (const r of out!.results) {
      expect(r.code, JSON.stringify(r)).toBe(1); // terminate()'s exit code
      expect(r.calls, JSON.stringify(r)).toBeGreaterThanOrEqual(1);
      expect(r.trues, JSON.stringify(r)).toBeGreaterThanOrEqual(1);
      expect(r.falses, JSON.stringify(r)).toBeGreaterThanOrEqual(200);
      expect(r.trueAfterFalse, JSON.stringify(r)).toBe(0);
    }
    expect(out!.results.filter((r) => r.by === 'worker')).toHaveLength(50);
    expect(out!.after).toBe(out!.baseline);
  }, 420_000);
});
