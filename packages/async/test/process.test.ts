// Process-level behaviour, each scenario in a child process: no libev abort on
// a send before anything started, keep-alive of an attached loop, GC, and
// 100,000 sends from each of two workers racing a destroy()/close().
import { describe, expect, it } from 'vitest';
import { runFixture, useProcessTimeout } from '@evkit/test-utils';

useProcessTimeout(); // child processes or workers: see PROCESS_TEST_TIMEOUT_MS

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

function run(name: string, args: string[] = [], execArgv: string[] = []) {
  const result = runFixture(fixture(name), { args, execArgv, timeoutMs: 60_000 });
  const lines = result.stdout.trim().split('\n').filter(Boolean);
  const json = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { ...result, json, lived: json.at(-1)?.livedMs as number };
}

/** The fixture ran to its end: no output on stderr, no signal, exit code 0. */
function expectCleanExit(r: ReturnType<typeof run>): void {
  expect(r.stderr).toBe('');
  expect(r.signal).toBeNull();
  expect(r.status).toBe(0);
}

describe('a send before anything started', () => {
  it('never aborts: fresh loops of every backend, attached, and from a worker', () => {
    const r = run('process.mjs', ['never-started']);
    expectCleanExit(r);
    expect(r.json[0]).toEqual({
      done: [
        ['select', true],
        ['poll', true],
        ['epoll', true],
        ['attached', true],
        ['worker', 100],
      ],
    });
  });
});

describe('keep-alive of an attached loop', () => {
  it('unref()d active Asyncs do not hold the process', () => {
    const r = run('process.mjs', ['unref']);
    expect(r.status).toBe(0);
    expect(r.lived).toBeLessThan(10_000); // a hang guard: held, it would live until the fixture's 60 s kill
  });

  it("a referenced Async holds it until a worker's send reaches the callback", () => {
    const r = run('process.mjs', ['ref-until-send']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const woken = r.json.find((j) => 'woken' in j)?.woken as number;
    expect(woken).toBeGreaterThanOrEqual(295);
    expect(r.lived).toBeGreaterThanOrEqual(woken);
    expect(r.lived).toBeLessThan(woken + 10_000); // a hang guard
  });

  it('unref() on an active Async lets the process go', () => {
    const r = run('process.mjs', ['unref-later']);
    expect(r.status).toBe(0);
    expect(r.lived).toBeGreaterThanOrEqual(195);
    expect(r.lived).toBeLessThan(10_000); // a hang guard
  });
});

describe('lifetime', () => {
  it('a collected (stopped, unreferenced) Async makes its sender return false; an active one lives on', () => {
    const r = run('process.mjs', ['gc'], ['--expose-gc']);
    expect(r.status).toBe(0);
    expect(r.json[0]).toEqual({ stoppedAfterGc: false, activeAfterGc: true, fired: 1 });
  });
});

describe('2 workers × 100,000 sends while the loop is detached and attached again and again', () => {
  it('no crash; every send returns true, and the watcher fires afterwards', () => {
    const r = run('detach-race.mjs', ['100000']);
    expectCleanExit(r);
    const out = r.json[0] as {
      toggles: number;
      callbacks: number;
      results: Array<{ code: number; trues: number; falses: number }>;
    };
    expect(out.toggles).toBeGreaterThan(0);
    expect(out.callbacks).toBeGreaterThan(0);
    expect(out.results).toHaveLength(2);
    for (const w of out.results) expect(w).toMatchObject({ code: 0, trues: 100_000, falses: 0 });
  });
});

describe('2 workers × 100,000 sends racing the end of the watcher', () => {
  for (const mode of ['blocking-destroy', 'attached-destroy', 'blocking-close', 'attached-close']) {
    it(`${mode}: no crash; true until the end, false ever after`, () => {
      const r = run('race.mjs', [mode, '100000']);
      expectCleanExit(r);
      const out = r.json[0] as {
        callbacks: number;
        sendsAtEnd: number;
        total: number;
        destroyed: boolean;
        results: Array<{ code: number; trues: number; falses: number; trueAfterFalse: number }>;
      };
      expect(out.results).toHaveLength(2);
      for (const w of out.results) {
        expect(w.code).toBe(0);
        expect(w.trues + w.falses).toBe(100_000);
        expect(w.trueAfterFalse).toBe(0);
      }
      const trues = out.results.reduce((n, w) => n + w.trues, 0);
      const falses = out.results.reduce((n, w) => n + w.falses, 0);
      // The end came mid-race: both outcomes happened.
      expect(out.sendsAtEnd).toBeLessThan(out.total);
      expect(trues).toBeGreaterThanOrEqual(out.sendsAtEnd); // every send counted before the end returned true
      expect(falses).toBeGreaterThan(0);
      expect(out.callbacks).toBeGreaterThan(0); // at least the one delivered before the race
      expect(out.destroyed).toBe(true);
    });
  }
});
