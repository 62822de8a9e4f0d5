// Keeps the bench from rotting: every workload and system runs once at 1/100
// of its size (`--smoke`) and must produce a finite, positive number. CI does
// not run the real bench (too noisy); this only checks that it still works.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface SummaryRow {
  workload: string;
  metric: string;
  system: string;
  runs: number;
  failures: string[];
  median: number | null;
  values: number[];
}
interface RawRun {
  workload: string;
  system: string;
  ok: boolean;
  error?: string;
  metrics?: Record<string, number>;
}
interface Results {
  options: { smoke: boolean; runs: number };
  summary: SummaryRow[];
  raw: RawRun[];
  fileLimit: { skipped: string[] };
}

// Every (workload, system) without the C floor, as bench.mjs defines them.
const EXPECTED: Record<string, string[]> = {
  W1: ['evkit-blocking', 'node-setTimeout', 'evkit-attached', 'evkit-attached-prestart', 'js-floor', 'js-floor-context'],
  W2: ['evkit-blocking', 'node-net', 'evkit-attached'],
  W3a: ['evkit-blocking', 'node-queueMicrotask', 'node-nextTick', 'evkit-attached'],
  W3b: ['evkit-blocking', 'node-setImmediate', 'evkit-attached'],
  W4: ['evkit-blocking', 'node-postMessage', 'evkit-attached'],
  W5: ['evkit-epoll', 'node-net', 'fs-floor', 'evkit-select'],
  W6: ['evkit', 'node-setTimeout', 'js-floor'],
  W7: ['evkit-attached', 'node-net'],
  W8: ['node-http-alone', 'node-http+evkit', 'node-http+node'],
  W9: ['evkit-collect-0', 'evkit-collect-1ms', 'evkit-collect-5ms'],
  Ha: ['evkit-blocking', 'node-setImmediate', 'evkit-attached'],
  Hb: ['evkit-attached', 'node-setImmediate', 'evkit-blocking'],
};

// A hang guard only: the smoke run takes about 35 s on an idle 2-core machine
// and several times that on a loaded one; its speed is not what is tested.
const HANG_GUARD_MS = 540_000;

function runSmoke(): Promise<{ code: number | string; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['src/bench.mjs', '--smoke', '--runs', '1', '--no-c', '--json'],
      { cwd: benchDir, maxBuffer: 64 * 2 ** 20, timeout: HANG_GUARD_MS },
      (error, stdout, stderr) => {
        const code = !error ? 0 : typeof error.code === 'number' ? error.code : `killed by ${error.signal ?? error.code}`;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('bench smoke run (--smoke --no-c --json)', () => {
  it('runs every workload and system once, each giving finite positive numbers', async () => {
    const { code, stdout, stderr } = await runSmoke();
    const context = `exit code ${code}\n--- stderr ---\n${stderr.slice(-4000)}`;
    expect(code, context).toBe(0);
    const results = JSON.parse(stdout) as Results;
    expect(results.options.smoke).toBe(true);
    expect(results.fileLimit.skipped, context).toEqual([]);

    const failed = results.raw.filter((r) => !r.ok).map((r) => `${r.workload} ${r.system}: ${r.error}`);
    expect(failed, context).toEqual([]);

    const ran = new Map<string, string[]>();
    for (const r of results.raw) ran.set(r.workload, [...(ran.get(r.workload) ?? []), r.system]);
    for (const [workload, systems] of Object.entries(EXPECTED)) {
      expect(ran.get(workload)?.sort(), workload).toEqual([...systems].sort());
    }

    expect(results.summary.length).toBeGreaterThan(0);
    for (const row of results.summary) {
      const what = `${row.workload} ${row.system} ${row.metric}`;
      expect(row.failures, what).toEqual([]);
      expect(row.runs, what).toBe(1);
      expect(Number.isFinite(row.median), `${what}: median ${row.median}`).toBe(true);
      expect(row.median as number, what).toBeGreaterThan(0);
    }
    // Every metric a workload reports is in the summary, for every system.
    for (const r of results.raw) {
      for (const [metric, value] of Object.entries(r.metrics ?? {})) {
        if (metric === 'ms') continue;
        expect(Number.isFinite(value) && value > 0, `${r.workload} ${r.system} ${metric} = ${value}`).toBe(true);
      }
    }
  });
});
