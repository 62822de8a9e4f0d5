// 1,000 loops created and destroyed while their watchers fire (a repeating
// timer, an idle, an async sent from the timer and once more just before
// destroy()), blocking and attached. Afterwards every native loop and watcher
// is freed and no loop thread is left. Child processes (with --expose-gc).
import { describe, expect, it } from 'vitest';
import { jsonLines, runFixture } from '@evkit/test-utils';

describe('1,000 loops created and destroyed while watchers fire', () => {
  it.each(['blocking', 'attached'])('%s: native counts and threads come back', (mode) => {
    const result = runFixture(new URL('./fixtures/churn.mjs', import.meta.url), {
      args: [mode, '1000'],
      execArgv: ['--expose-gc'],
      timeoutMs: 180_000,
    });
    expect(result.signal, result.stderr).toBe(null);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [out] = jsonLines(result.stdout) as any[];
    expect(out.fired).toEqual({ timer: 1000, idle: 1000, async: 1000 });
    const { before, after } = out;
    expect(after.loopsCreated - before.loopsCreated).toBe(1000);
    expect(after.loopsFreed - before.loopsFreed).toBe(1000);
    expect(after.loopsLive).toBe(before.loopsLive);
    expect(after.watchersCreated - before.watchersCreated).toBe(3000);
    expect(after.watchersCreated - after.watchersFreed).toBe(before.watchersCreated - before.watchersFreed);
    // Every attached loop's thread was joined by destroy().
    expect(after.threads).toBeLessThanOrEqual(before.threads + 1);
  }, 200_000);
});
