// Each case once aborted the process (a libev assert) or hung it; run alone in
// a child so that a regression fails its test instead of the whole run.
import { describe, expect, it } from 'vitest';
import { runFixture } from '@evkit/test-utils';

const fixture = new URL('./fixtures/reliability.mjs', import.meta.url);

describe('no libev abort or hang', () => {
  it.each([
    ['unref-twice-verify', 'loop.unref() beyond its ref() calls throws; verify() stays safe'],
    ['unref-run', 'run() after a refused unref() returns'],
    ['unrefd-timers-verify', 'verify() inside callbacks of unref()d one-shot timers that expired together'],
    ['attach-in-run', 'attach() and runAsync() inside a blocking run() of the same loop throw ERR_EVKIT_IN_CALLBACK'],
    ['runasync-idle', 'await runAsync() settles when nothing is referenced'],
    ['feed-from-drain-requeues-batch', 'a queued callback feeds a watcher while a lower-priority prepare waits in the batch: both run once'],
    ['stop-later-in-batch', 'a callback stops watchers queued behind the runCallback drain in its batch: none runs, nothing freed is read'],
  ])('%s: %s', (name) => {
    const result = runFixture(fixture, { args: [name], timeoutMs: 20_000 });
    expect(result.signal, result.stderr).toBe(null);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('ok');
  });
});
