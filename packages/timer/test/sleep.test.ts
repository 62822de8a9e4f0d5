import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Loop } from '@evkit/loop';
import { AbortError, sleep } from '@evkit/timer';
import { runFixture, useCleanDefaultLoop, useLoops, useProcessTimeout } from '@evkit/test-utils';

useProcessTimeout(); // child processes or workers: see PROCESS_TEST_TIMEOUT_MS

describe('sleep', () => {
  const track = useLoops();
  useCleanDefaultLoop();

  it('resolves after the given seconds on Loop.default', async () => {
    const started = performance.now();
    await sleep(0.05);
    expect(performance.now() - started).toBeGreaterThanOrEqual(49);
    expect(Loop.default.refCount).toBe(0);
  });

  it('runs on a given loop', async () => {
    const loop = track(new Loop().attach());
    await expect(sleep(0.01, { loop })).resolves.toBeUndefined();
  });

  it('rejects with an AbortError when the signal aborts, and stops its timer', async () => {
    const controller = new AbortController();
    const pending = sleep(30, { signal: controller.signal });
    expect(Loop.default.refCount).toBe(1);
    controller.abort(new Error('why'));
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    expect((error as Error).cause).toEqual(new Error('why'));
    expect(Loop.default.refCount).toBe(0);
    expect(Loop.default.activeCount).toBe(0);
  });

  it('rejects at once with an already aborted signal', async () => {
    await expect(sleep(30, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects bad input', async () => {
    await expect(sleep(Number.NaN)).rejects.toThrow(RangeError);
    await expect(sleep('1' as never)).rejects.toThrow(TypeError);
    await expect(sleep(1, { loop: {} as Loop })).rejects.toThrow(TypeError);
    await expect(sleep(1, { signal: {} as AbortSignal })).rejects.toThrow(TypeError);
    await expect(sleep(1, 5 as never)).rejects.toThrow(TypeError);
  });

  it('does not keep the process alive after an abort (child process)', () => {
    const result = runFixture(fileURLToPath(new URL('./fixtures/sleep-abort.mjs', import.meta.url)));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.rejected).toBe('AbortError');
    expect(out.exitMs).toBeLessThan(10_000); // far less than the aborted 60 s sleep it would otherwise wait for
  });
});
