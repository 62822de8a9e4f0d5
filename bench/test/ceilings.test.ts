// The ceiling rows are arithmetic on measured rows: per-item times added up
// (or taken away) run by run. A wrong sign or a mixed-up run index would
// print a plausible but false bound, so it is checked here on known numbers.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM without types, like the rest of the bench
import { addCeilings } from '../src/ceilings.mjs';

type Run = { ok: boolean; metrics?: Record<string, number> };

const workload = (ceilings: unknown[]) => ({
  id: 'W',
  metrics: [
    { key: 'rate', better: 'higher' },
    { key: 'p50', better: 'lower' },
  ],
  ceilings,
});

function results(entries: Record<string, Run[]>): Map<string, Run[]> {
  return new Map(Object.entries(entries).map(([system, runs]) => [`W\u0000${system}`, runs]));
}

describe('addCeilings', () => {
  it('adds the parts’ per-item times run by run, for the rate metrics', () => {
    const r = results({
      floor: [{ ok: true, metrics: { rate: 4e6, p50: 3 } }, { ok: true, metrics: { rate: 2e6 } }],
      c: [{ ok: true, metrics: { rate: 4e6 } }, { ok: true, metrics: { rate: 1e6 } }],
    });
    addCeilings(workload([{ system: 'ceiling', parts: [{ system: 'floor' }, { system: 'c' }] }]), r);
    const runs = r.get('W\u0000ceiling')!;
    // 0.25 µs + 0.25 µs = 0.5 µs an item; 0.5 µs + 1 µs = 1.5 µs.
    expect(runs.map((run) => run.metrics!.rate)).toEqual([2e6, 1e6 / 1.5]);
    expect(runs[0]!.metrics!.p50).toBeUndefined(); // not a rate: nothing to add up
  });

  it('takes away a part with sign -1, read from the metric it names', () => {
    const r = results({
      fs: [{ ok: true, metrics: { rate: 200e3 } }], // 5 µs
      c: [{ ok: true, metrics: { rate: 125e3, ioRate: 250e3 } }], // 8 µs, of which 4 µs are its I/O
    });
    addCeilings(
      workload([{ system: 'ceiling', parts: [{ system: 'fs' }, { system: 'c' }, { system: 'c', key: 'ioRate', sign: -1 }] }]),
      r,
    );
    expect(r.get('W\u0000ceiling')![0]!.metrics!.rate).toBeCloseTo(1e6 / 9, 6);
  });

  it('gives nothing for a run in which a part failed, and no row when no run has every part', () => {
    const r = results({
      floor: [{ ok: true, metrics: { rate: 1e6 } }, { ok: true, metrics: { rate: 1e6 } }],
      c: [{ ok: false }, { ok: true, metrics: { rate: 1e6 } }],
    });
    addCeilings(workload([{ system: 'ceiling', parts: [{ system: 'floor' }, { system: 'c' }] }]), r);
    expect(r.get('W\u0000ceiling')!.map((run) => run.metrics!.rate)).toEqual([5e5]);

    const noC = results({ floor: [{ ok: true, metrics: { rate: 1e6 } }] });
    addCeilings(workload([{ system: 'ceiling', parts: [{ system: 'floor' }, { system: 'c' }] }]), noC);
    expect(noC.has('W\u0000ceiling')).toBe(false);
  });

  it('limits itself to the metrics it names', () => {
    const r = results({
      floor: [{ ok: true, metrics: { rate: 1e6, stopRate: 1e6 } }],
      c: [{ ok: true, metrics: { rate: 1e6, stopRate: 1e6 } }],
    });
    const w = workload([{ system: 'ceiling', metrics: ['stopRate'], parts: [{ system: 'floor' }, { system: 'c' }] }]);
    w.metrics.push({ key: 'stopRate', better: 'higher' });
    addCeilings(w, r);
    expect(r.get('W\u0000ceiling')![0]!.metrics).toEqual({ stopRate: 5e5 });
  });
});
