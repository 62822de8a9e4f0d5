// Attached mode at the process level: liveness, uncaught errors, child
// processes, workers. Each scenario runs in a child process.
import { describe, expect, it } from 'vitest';
import { runFixture, useProcessTimeout } from '@evkit/test-utils';

useProcessTimeout(); // child processes or workers: see PROCESS_TEST_TIMEOUT_MS

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

// Upper bounds on how long a fixture lived are hang guards: a process held by
// what should not hold it lives 60 s (or until the fixture's 30 s kill). The
// lower bounds check it was held as long as it should be.
const HANG_GUARD_MS = 10_000;

function run(name: string, args: string[] = []) {
  const result = runFixture(fixture(name), { args });
  const lines = result.stdout.trim().split('\n').filter(Boolean);
  return { ...result, json: lines.map((line) => JSON.parse(line)) };
}

describe('keep-alive of an attached loop', () => {
  it('a ref()d 300 ms timer keeps the process alive for it', () => {
    const r = run('keepalive.mjs', ['ref-300ms']);
    expect(r.status).toBe(0);
    expect(r.json[0].livedMs).toBeGreaterThanOrEqual(290);
    expect(r.json[0].livedMs).toBeLessThan(HANG_GUARD_MS);
  });

  it('unref()d watchers (a 60 s timer, an idle) let it exit at once', () => {
    const r = run('keepalive.mjs', ['unref-60s']);
    expect(r.status).toBe(0);
    expect(r.json[0].livedMs).toBeLessThan(HANG_GUARD_MS);
  });

  it('stopping the last ref()d watcher lets it exit', () => {
    const r = run('keepalive.mjs', ['stop-last']);
    expect(r.status).toBe(0);
    expect(r.json[0].livedMs).toBeGreaterThanOrEqual(140);
    expect(r.json[0].livedMs).toBeLessThan(HANG_GUARD_MS);
  });

  it('unref() after start lets it exit', () => {
    const r = run('keepalive.mjs', ['unref-after-start']);
    expect(r.status).toBe(0);
    expect(r.json[0].livedMs).toBeGreaterThanOrEqual(95);
    expect(r.json[0].livedMs).toBeLessThan(HANG_GUARD_MS);
  });

  it('loop.ref() keeps it alive until loop.unref()', () => {
    const r = run('keepalive.mjs', ['loop-ref']);
    expect(r.status).toBe(0);
    expect(r.json[0].livedMs).toBeGreaterThanOrEqual(190);
    expect(r.json[0].livedMs).toBeLessThan(HANG_GUARD_MS);
  });

  it('queued runCallbacks keep it alive until they ran', () => {
    const r = run('keepalive.mjs', ['callbacks']);
    expect(r.status).toBe(0);
    expect(r.json.find((j) => 'callbacks' in j).callbacks).toBe(1000);
  });

  it('exit is clean with attached loops alive and keeps the exit code', () => {
    const r = run('keepalive.mjs', ['exit-code']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(7);
  });
});

describe('hand-offs to the JS thread', () => {
  it('each is delivered, whether the JS thread runs JS or sleeps in Node’s poll when it comes (5,000 rounds)', () => {
    // A hand-off that was neither woken for nor taken at Node's next prepare
    // phase hangs the fixture: nothing else in it wakes Node.
    const r = run('handoff-while-busy.mjs', ['5000']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.json[0].rounds).toBe(5000);
    expect(r.json[0].slowestMs).toBeLessThan(HANG_GUARD_MS);
  });
});

describe('errors on an attached loop without errorHandler', () => {
  it("reach 'uncaughtException' (Error and non-Error throws) and the loop goes on", () => {
    const r = run('uncaught.mjs', ['listen']);
    expect(r.status).toBe(0);
    expect(r.json[0]).toEqual({ seen: ['first', 'second', 'undefined'], n: 4 });
  });

  it.each(['detach', 'destroy'])('reach it from a callback that called %s() on its own loop, and from its continuation', (mode) => {
    const r = run('uncaught.mjs', [mode]);
    expect(r.status).toBe(0);
    expect(r.json[0]).toEqual({ seen: ['from the callback', 'from its continuation'], runThrew: null });
  });

  it.each(['error', 'string'])('exit the process with code 1 when nobody listens (%s)', (mode) => {
    const r = run('uncaught.mjs', [mode]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(mode === 'string' ? 'plain string' : 'boom');
  });
});

describe('coexistence with Node', () => {
  it("child_process 'exit' fires with blocking and attached loops alive", () => {
    const r = run('spawn.mjs');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const results = r.json[0] as Array<{ what: string; code: number; ms: number }>;
    expect(results).toHaveLength(4);
    for (const result of results) {
      expect(result.code, result.what).toBe(0);
      expect(result.ms, result.what).toBeLessThan(HANG_GUARD_MS);
    }
  });

  it('worker.terminate() with attached loops (and a blocking run) is prompt and leaves no thread', () => {
    const r = run('attached-workers.mjs');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = r.json[0];
    for (const ms of out.terminateMs) expect(ms).toBeLessThan(HANG_GUARD_MS); // each waits on a 60 s timer
    expect(out.during).toBeGreaterThan(out.baseline);
    expect(out.after).toBeLessThanOrEqual(out.baseline);
  });
});
