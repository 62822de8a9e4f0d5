// Derived rows of the bench table. A ceiling is what a binding with no
// overhead of its own would reach, from rows measured in the same run: the
// per-item times of its parts (a JS floor, a C program) added up, run by run
// (run i of each part), for the rate metrics it names (default: all of the
// workload's rate metrics). A part with sign -1 is taken away (C's own system
// calls, where the binding makes Node's fs calls instead). Runs in which a
// part failed or is missing (no C compiler) give no value.
// w: a workload as bench.mjs defines it (id, metrics, ceilings); results: Map
// from `${workload}\u0000${system}` to that system's runs ({ ok, metrics }),
// to which each ceiling's runs are added under its own system name.
export function addCeilings(w, results) {
  for (const ceiling of w.ceilings ?? []) {
    const keys = ceiling.metrics ?? w.metrics.filter((m) => m.better === 'higher').map((m) => m.key);
    const partRuns = ceiling.parts.map((part) => results.get(`${w.id}\u0000${part.system}`) ?? []);
    const runs = Math.min(...partRuns.map((r) => r.length));
    const derived = [];
    for (let i = 0; i < runs; i++) {
      const metrics = {};
      for (const key of keys) {
        let secondsPerItem = 0;
        for (const [p, part] of ceiling.parts.entries()) {
          const r = partRuns[p][i];
          const rate = r.ok ? r.metrics?.[part.key ?? key] : undefined;
          if (!Number.isFinite(rate) || rate <= 0) {
            secondsPerItem = NaN;
            break;
          }
          secondsPerItem += (part.sign ?? 1) / rate;
        }
        if (secondsPerItem > 0) metrics[key] = 1 / secondsPerItem;
      }
      if (Object.keys(metrics).length > 0) derived.push({ ok: true, metrics });
    }
    if (derived.length > 0) results.set(`${w.id}\u0000${ceiling.system}`, derived);
  }
}
