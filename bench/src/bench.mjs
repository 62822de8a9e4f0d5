// evkit benchmarks: evkit (blocking and attached) side by side with Node's
// built-ins and, where a C compiler is present, plain C on the libev build
// evkit links (@evkit/core-native's libev-source.mjs) — all in one invocation.
//
//   node src/bench.mjs [--quick | --smoke] [--only W1,W3a,...] [--runs N] [--no-c] [--json]
//
// Every measurement is a fresh child process (src/runner.mjs, or a C binary)
// printing one JSON line. Runs are interleaved: round i runs every
// (workload, system) once before round i+1 starts, so machine drift hits all
// systems alike. The table shows medians over the rounds; the raw results go
// to results/latest.json (with --json also to stdout, the table then going to
// stderr).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { addCeilings } from './ceilings.mjs';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runnerPath = path.join(benchDir, 'src', 'runner.mjs');
const cDir = path.join(benchDir, 'c');
const cBuildDir = path.join(benchDir, '.c-build');
const resultsDir = path.join(benchDir, 'results');

// ------------------------------------------------------------------ options

const WORKLOAD_IDS = ['W1', 'W2', 'W3a', 'W3b', 'W4', 'W5', 'W6', 'W7', 'W8', 'W9', 'Ha', 'Hb', 'K', 'M', 'X'];

function usage(code) {
  const out = code === 0 ? process.stdout : process.stderr;
  out.write(
    [
      `usage: pnpm bench [--quick | --smoke] [--only ${WORKLOAD_IDS.join(',')}] [--runs N] [--no-c] [--json]`,
      '  --quick   sizes / 10 and 3 runs (about a minute)',
      '  --smoke   sizes / 100 and 1 run: a check that every workload still runs (the smoke test);',
      '            results go to results/smoke.json instead of results/latest.json',
      '  --only    run only these workloads (Ha/Hb: attached-mode hand-off cost / wake-up latency;',
      '            K: what one watcher of each kind costs)',
      '  --runs N  fresh-process runs per (workload, system); default 5 (3 with --quick, 1 with --smoke)',
      '  --no-c    skip the C libev floor',
      '  --json    print the results as JSON on stdout (the table goes to stderr); results/latest.json as always',
      '',
    ].join('\n'),
  );
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { quick: false, smoke: false, only: null, runs: null, c: true, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) usage(2);
      return v;
    };
    if (flag === '--') continue; // pnpm may pass one through
    else if (flag === '--quick') opts.quick = true;
    else if (flag === '--smoke') opts.smoke = true;
    else if (flag === '--no-c') opts.c = false;
    else if (flag === '--json') opts.json = true;
    else if (flag === '--only') {
      const wanted = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      opts.only = wanted.map((w) => {
        const id = WORKLOAD_IDS.find((x) => x.toLowerCase() === w.toLowerCase());
        if (id === undefined) {
          process.stderr.write(`unknown workload ${w}; known: ${WORKLOAD_IDS.join(', ')}\n`);
          process.exit(2);
        }
        return id;
      });
    } else if (flag === '--runs') {
      opts.runs = Number(value());
      if (!Number.isInteger(opts.runs) || opts.runs < 1) usage(2);
    } else if (flag === '--help' || flag === '-h') usage(0);
    else {
      process.stderr.write(`unknown option ${arg}\n`);
      usage(2);
    }
  }
  opts.runs ??= opts.smoke ? 1 : opts.quick ? 3 : 5;
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const sizeName = opts.smoke ? 'smoke' : opts.quick ? 'quick' : 'default';
const div = opts.smoke ? 100 : opts.quick ? 10 : 1;
const size = (n) => Math.max(1, Math.round(n / div));
const SIZES = {
  W1: size(200_000),
  W2: size(200_000),
  W2Attached: size(50_000), // each round trip is two thread hand-offs (up to ~150 µs on an idle VM)
  W3a: size(1_000_000),
  W3b: size(1_000_000),
  W3bAttached: size(20_000),
  W4: size(50_000),
  W5pairs: size(5_000),
  W5selectPairs: size(500), // 1,000 fds, kept below FD_SETSIZE (1024)
  W5iterations: size(100_000),
  // select() scans every watched fd in the kernel (~140 µs per iteration at
  // 1,000 fds here), so fewer iterations keep the default run short.
  W5selectIterations: size(25_000),
  W6: size(1_000_000),
  W6close: size(100_000),
  W7: size(20_000), // one thread hand-off per round trip
  // W8 runs for a fixed time; the floors keep a smoke run's windows long enough to count something,
  // also on a machine busy with other work.
  W8ms: Math.max(500, size(2_000)), // a loaded machine may finish no request in a shorter window
  W8warmMs: Math.max(100, size(300)),
  W8concurrency: 8,
  W8timerMs: 1,
  W9pairs: size(1_000),
  W9messages: size(150_000),
  Ha: size(20_000),
  Hb: size(2_000),
  HbGapMs: 1,
  K: size(100_000),
  Mburst: size(200_000),
  Mlone: size(2_000),
  X: size(4_000),
  Xconcurrency: 64,
  KSlow: size(5_000), // signal (sigaction per first start) and stat (lstat, inotify per start)
};
// W5 and W9 need 2 fds per pair (W5: evkit and Node alike) plus what Node itself holds.
const W5_FDS_NEEDED = 2 * SIZES.W5pairs + 256;
const W9_FDS_NEEDED = 2 * SIZES.W9pairs + 256;
// Workloads whose processes are started with a raised `ulimit -n`.
const MANY_FD_IDS = ['W5', 'W9'];

// ------------------------------------------------------------------ the C floor

async function buildC() {
  if (!opts.c) return { ok: false, note: 'skipped (--no-c)' };
  const cc = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) return { ok: false, note: 'skipped: no `cc` on PATH' };
  let libev;
  try {
    const coreDir = path.dirname(createRequire(import.meta.url).resolve('@evkit/core-native/package.json'));
    const { ensureLibev } = await import(pathToFileURL(path.join(coreDir, 'scripts', 'libev-source.mjs')).href);
    libev = await ensureLibev();
  } catch (error) {
    return { ok: false, note: `skipped: ${error.message}` };
  }
  mkdirSync(cBuildDir, { recursive: true });
  const bins = {};
  for (const name of ['w1_timers', 'w2_pingpong', 'w3b_idle', 'w4_async', 'w5_scale', 'w6_timers', 'timer_chain', 'handoff_thread']) {
    const out = path.join(cBuildDir, name);
    const r = spawnSync('cc', ['-O2', '-isystem', libev.dir, '-o', out, path.join(cDir, `${name}.c`), libev.library, '-lpthread', '-lm'], {
      encoding: 'utf8',
    });
    if (r.status !== 0) return { ok: false, note: `skipped: building ${name}.c failed:\n${r.stderr}` };
    bins[name] = out;
  }
  return { ok: true, note: `cc -O2 … libev.a (${cc.stdout.split('\n')[0]})`, bins };
}

// ------------------------------------------------------------------ W5's and W9's file limit
// W5 holds 10,000 sockets in one process (W9 2,000, above the usual soft limit
// of 1024), and Node cannot raise its own RLIMIT_NOFILE. So their processes
// are started through bash with `ulimit -n` raised to 65536 or, where raising
// the hard limit is not permitted, to the hard limit; rows that need more fds
// than that are skipped with a note.

const NOFILE_WANTED = 65_536;
const ULIMIT_SCRIPT = `ulimit -n ${NOFILE_WANTED} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"`;

// ids: the workloads concerned, named in the note.
function probeFileLimit(ids) {
  const who = ids.join(' and ');
  const runs = ids.length > 1 ? 'run' : 'runs';
  const r = spawnSync('bash', ['-c', ULIMIT_SCRIPT, 'bash', '-c', 'ulimit -n'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    return { wrap: false, limit: NaN, note: `no bash to raise \`ulimit -n\`: ${who} ${runs} with the inherited limit` };
  }
  const out = r.stdout.trim();
  const limit = out === 'unlimited' ? Infinity : Number(out);
  const note =
    limit >= NOFILE_WANTED
      ? `${who} ${runs} with ulimit -n ${out}`
      : `${who}: \`ulimit -n ${NOFILE_WANTED}\` not permitted here; ${who} ${runs} with the hard limit, ${out}`;
  return { wrap: true, limit, note };
}

// ------------------------------------------------------------------ the plan

const k = (n) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));

// better: 'higher' (throughput) or 'lower' (time, latency, memory).
// unit: how the value is shown; scale: 'rate' picks k/M, otherwise fixed.
function defineWorkloads(c, files, skipped) {
  const node = (system, params) => ({ system, kind: 'node', params });
  const cJob = (system, bin, args) => (c.ok ? [{ system, kind: 'c', bin: c.bins[bin], args: args.map(String) }] : []);
  // A job that holds many fds: started with a raised `ulimit -n`, or skipped.
  const manyFds = (id, needed, jobs) =>
    jobs.flatMap((job) => {
      if (needed > files.limit) {
        skipped.push(`${id} ${job.system}: needs ~${needed} fds, ulimit -n is ${files.limit}; skipped`);
        return [];
      }
      return [{ ...job, wrap: files.wrap }];
    });
  const C_LIBEV = 'C libev';
  const C_CLOCK = 'C libev, clock per start';
  const C_THREAD = 'C libev + thread hand-off';
  const C_ASYNC = 'C libev + pthread';
  const C_EPOLL = 'C libev epoll';
  const C_SELECT = 'C libev select';
  const w5Params = { pairs: SIZES.W5pairs, iterations: SIZES.W5iterations };
  const w5SelectParams = { pairs: SIZES.W5selectPairs, iterations: SIZES.W5selectIterations };
  const w5SelectFds = 2 * SIZES.W5selectPairs + 256;
  return [
    {
      id: 'W1',
      title: `W1 timer churn: ${k(SIZES.W1)} one-shot 0-delay timers, start all, run until all fired`,
      short: `W1 timer churn ${k(SIZES.W1)}`,
      metrics: [{ key: 'rate', unit: 'timers/s', better: 'higher', scale: 'rate' }],
      jobs: [
        node('evkit-blocking', { n: SIZES.W1 }),
        node('node-setTimeout', { n: SIZES.W1 }),
        node('evkit-attached', { n: SIZES.W1 }),
        node('evkit-attached-prestart', { n: SIZES.W1 }),
        // The floor: the same objects and callbacks in plain JS, no loop at all.
        node('js-floor', { n: SIZES.W1 }),
        node('js-floor-context', { n: SIZES.W1 }),
        ...cJob(C_LIBEV, 'w1_timers', [SIZES.W1]),
        ...cJob(C_CLOCK, 'w1_timers', [SIZES.W1, 'clock-per-start']),
      ],
      ceilings: [
        { system: 'ceiling blocking: js-floor + C, clock per start', parts: [{ system: 'js-floor' }, { system: C_CLOCK }] },
        {
          system: 'ceiling attached: js-floor-context + C, clock per start',
          parts: [{ system: 'js-floor-context' }, { system: C_CLOCK }],
        },
      ],
      nodeRef: ['node-setTimeout'],
      // Like for like: evkit refreshes the clock at each start outside callbacks.
      cRef: { '*': C_CLOCK },
    },
    {
      id: 'W2',
      title: `W2 io ping-pong: one byte bounced over a socket pair ×${k(SIZES.W2)} round trips (attached ×${k(SIZES.W2Attached)}; Node: a unix-domain net connection)`,
      short: `W2 io ping-pong ${k(SIZES.W2)}`,
      metrics: [{ key: 'rate', unit: 'round trips/s', better: 'higher', scale: 'rate' }],
      jobs: [
        node('evkit-blocking', { n: SIZES.W2 }),
        node('node-net', { n: SIZES.W2 }),
        node('evkit-attached', { n: SIZES.W2Attached }),
        ...cJob(C_LIBEV, 'w2_pingpong', [SIZES.W2]),
      ],
      nodeRef: ['node-net'],
      cRef: { '*': C_LIBEV },
    },
    {
      id: 'W3a',
      title: `W3a callback chain: ${k(SIZES.W3a)} callbacks, each scheduling the next`,
      short: `W3a callback chain ${k(SIZES.W3a)}`,
      metrics: [{ key: 'rate', unit: 'callbacks/s', better: 'higher', scale: 'rate' }],
      jobs: [
        node('evkit-blocking', { n: SIZES.W3a }),
        node('node-queueMicrotask', { n: SIZES.W3a }),
        node('node-nextTick', { n: SIZES.W3a }),
        node('evkit-attached', { n: SIZES.W3a }),
      ],
      nodeRef: ['node-queueMicrotask', 'node-nextTick'],
      cRef: {},
    },
    {
      id: 'W3b',
      title: `W3b one callback per loop pass: Idle ×${k(SIZES.W3b)} (attached ×${k(SIZES.W3bAttached)}), Node setImmediate chain`,
      short: `W3b pass cost`,
      metrics: [{ key: 'usPerPass', unit: 'µs/pass', better: 'lower' }],
      jobs: [
        node('evkit-blocking', { n: SIZES.W3b }),
        node('node-setImmediate', { n: SIZES.W3b }),
        node('evkit-attached', { n: SIZES.W3bAttached }),
        ...cJob(C_LIBEV, 'w3b_idle', [SIZES.W3b]),
        ...cJob(C_THREAD, 'handoff_thread', ['idle', SIZES.W3bAttached]),
      ],
      nodeRef: ['node-setImmediate'],
      cRef: { 'evkit-blocking': C_LIBEV, 'evkit-attached': C_THREAD, 'node-setImmediate': C_LIBEV },
    },
    {
      id: 'W4',
      title: `W4 cross-thread wake-up: ${k(SIZES.W4)} round trips Worker → loop (Async send, Atomics.wait for the reply) → Worker (Node: postMessage ping-pong)`,
      short: `W4 cross-thread wake-up ${k(SIZES.W4)}`,
      metrics: [
        { key: 'rate', label: 'rate', unit: 'round trips/s', better: 'higher', scale: 'rate' },
        { key: 'p50', label: 'p50 round trip', unit: 'µs', better: 'lower' },
        // A worker and the thread it wakes can sleep in the kernel only so
        // often per round trip: each sleep costs a wake-up (the worker's and
        // its peer's threads, Node's helper threads included).
        { key: 'sleeps', label: 'kernel sleeps per round trip', unit: 'sleeps', better: 'lower' },
      ],
      jobs: [
        node('evkit-blocking', { n: SIZES.W4 }),
        node('node-postMessage', { n: SIZES.W4 }),
        node('evkit-attached', { n: SIZES.W4 }),
        ...cJob(C_ASYNC, 'w4_async', [SIZES.W4]),
      ],
      nodeRef: ['node-postMessage'],
      cRef: { '*': C_ASYNC },
    },
    {
      id: 'M',
      title:
        `M messages from a Worker: a burst of ${k(SIZES.Mburst)} small objects, then ${k(SIZES.Mlone)} lone ones ~1 ms apart ` +
        `(evkit: AsyncSender.send(value) into an AsyncMailbox, or sendBatch() of 64; Node: postMessage)`,
      short: `M worker messages`,
      metrics: [
        { key: 'rate', label: 'burst', unit: 'messages/s', better: 'higher', scale: 'rate' },
        { key: 'p50', label: 'p50 lone message', unit: 'µs', better: 'lower' },
      ],
      jobs: [
        node('evkit-attached', { n: SIZES.Mburst, lone: SIZES.Mlone }),
        node('evkit-attached-batch64', { n: SIZES.Mburst, lone: SIZES.Mlone }),
        node('evkit-blocking', { n: SIZES.Mburst, lone: SIZES.Mlone }),
        node('node-postMessage', { n: SIZES.Mburst, lone: SIZES.Mlone }),
      ],
      nodeRef: ['node-postMessage'],
      cRef: {}, // no C program: the comparison is with Node's own postMessage
    },
    {
      id: 'X',
      title:
        `X native interop: ${k(SIZES.X)} HTTP requests, ${SIZES.Xconcurrency} in flight, to a Node http server in a worker ` +
        `(evkit: the libcurl addon of examples/native-interop on evkit's C API; Node: fetch, and http.get with a keep-alive agent)`,
      short: `X libcurl on evkit`,
      metrics: [{ key: 'rate', unit: 'requests/s', better: 'higher', scale: 'rate' }],
      jobs: ['curl-attached', 'curl-blocking', 'node-fetch', 'node-http'].map((system) =>
        node(system, { n: SIZES.X, concurrency: SIZES.Xconcurrency }),
      ),
      nodeRef: ['node-fetch', 'node-http'],
      cRef: {}, // no C program: the comparison is with Node's own clients
    },
    {
      id: 'W5',
      title:
        `W5 scale: ${k(SIZES.W5pairs)} socket pairs (${k(2 * SIZES.W5pairs)} fds) on epoll and ${SIZES.W5selectPairs} pairs ` +
        `(${k(2 * SIZES.W5selectPairs)} fds) on select, all watched, one fd made ready per iteration, ${k(SIZES.W5iterations)} iterations ` +
        `(select: ${k(SIZES.W5selectIterations)}) (Node: ${k(2 * SIZES.W5pairs)} net sockets)`,
      short: `W5 scale`,
      metrics: [{ key: 'rate', unit: 'iterations/s', better: 'higher', scale: 'rate' }],
      jobs: [
        ...manyFds('W5', W5_FDS_NEEDED, [node('evkit-epoll', w5Params), node('node-net', w5Params), node('fs-floor', w5Params)]),
        ...manyFds('W5', w5SelectFds, [node('evkit-select', w5SelectParams)]),
        ...manyFds('W5', W5_FDS_NEEDED, cJob(C_EPOLL, 'w5_scale', ['epoll', SIZES.W5pairs, SIZES.W5iterations])),
        ...manyFds('W5', w5SelectFds, cJob(C_SELECT, 'w5_scale', ['select', SIZES.W5selectPairs, SIZES.W5selectIterations])),
      ].map((job) => ({
        ...job,
        label: `${job.system} (${k(2 * (job.system.includes('select') ? SIZES.W5selectPairs : SIZES.W5pairs))} fds)`,
      })),
      nodeRef: ['node-net'],
      // A binding's callbacks make fs calls where C makes system calls: C's
      // iteration without its own read and write (ioRate), plus fs-floor.
      ceilings: [
        {
          system: 'ceiling epoll: fs-floor + C epoll loop without its I/O',
          parts: [{ system: 'fs-floor' }, { system: C_EPOLL }, { system: C_EPOLL, key: 'ioRate', sign: -1 }],
        },
      ],
      cRef: { 'evkit-epoll': C_EPOLL, 'node-net': C_EPOLL, 'evkit-select': C_SELECT },
    },
    {
      id: 'W6',
      title: `W6 timer scale: ${k(SIZES.W6)} timers, random timeouts 1–100 s, started then stopped (loop never run)`,
      short: `W6 timer scale ${k(SIZES.W6)}`,
      metrics: [
        { key: 'startRate', label: 'start', unit: 'starts/s', better: 'higher', scale: 'rate' },
        { key: 'stopRate', label: 'stop', unit: 'stops/s', better: 'higher', scale: 'rate' },
        { key: 'rssPerTimer', label: 'RSS per active timer', unit: 'B/timer', better: 'lower', digits: 0 },
        { key: 'peakRssMB', label: 'peak RSS', unit: 'MB', better: 'lower', digits: 0 },
        { key: 'closeRate', label: `close() of ${k(SIZES.W6close)}`, unit: 'closes/s', better: 'higher', scale: 'rate' },
      ],
      jobs: [
        node('evkit', { n: SIZES.W6, closeN: SIZES.W6close }),
        node('node-setTimeout', { n: SIZES.W6 }),
        node('js-floor', { n: SIZES.W6 }), // W1's floor: the objects alone, no loop
        ...cJob(C_CLOCK, 'w6_timers', [SIZES.W6]),
      ],
      ceilings: [
        {
          system: 'ceiling: js-floor + C, clock per start',
          metrics: ['startRate', 'stopRate'],
          parts: [{ system: 'js-floor' }, { system: C_CLOCK }],
        },
      ],
      nodeRef: ['node-setTimeout'],
      cRef: { '*': C_CLOCK },
    },
    {
      id: 'W7',
      title:
        `W7 Io echo to a Node client: a net.Socket on one end of a socket pair, an evkit Io echo (attached loop) on the other, ` +
        `×${k(SIZES.W7)} one-byte round trips (Node: W2's unix-domain net server)`,
      short: `W7 Io echo to Node ${k(SIZES.W7)}`,
      metrics: [{ key: 'rate', unit: 'round trips/s', better: 'higher', scale: 'rate' }],
      jobs: [node('evkit-attached', { n: SIZES.W7 }), node('node-net', { n: SIZES.W7 })],
      nodeRef: ['node-net'],
      cRef: {},
    },
    {
      id: 'W8',
      title:
        `W8 evkit beside a Node HTTP server: keep-alive GETs from a child process (${SIZES.W8concurrency} connections, ` +
        `${SIZES.W8ms} ms after ${SIZES.W8warmMs} ms of warm-up, latency timed by the client), alone and with an attached ` +
        `evkit loop running a ${SIZES.W8timerMs} ms repeating Timer and W2's Io ping-pong without end, and with the same ` +
        `done by Node (setInterval, W2's net ping-pong)`,
      short: 'W8 HTTP beside evkit',
      metrics: [
        { key: 'rate', label: 'HTTP rate', unit: 'requests/s', better: 'higher', scale: 'rate' },
        { key: 'p99', label: 'HTTP p99', unit: 'ms', better: 'lower' },
        { key: 'timerRate', label: `beside: ${SIZES.W8timerMs} ms timer`, unit: 'fires/s', better: 'higher', scale: 'rate' },
        { key: 'pingPongRate', label: 'beside: ping-pong', unit: 'round trips/s', better: 'higher', scale: 'rate' },
      ],
      jobs: ['node-http-alone', 'node-http+evkit', 'node-http+node'].map((system) =>
        node(system, { ms: SIZES.W8ms, warmMs: SIZES.W8warmMs, concurrency: SIZES.W8concurrency, timerMs: SIZES.W8timerMs }),
      ),
      nodeRef: ['node-http-alone'],
      cRef: {},
    },
    {
      id: 'W9',
      title:
        `W9 many independent senders: ${k(SIZES.W9pairs)} socket pairs, an Io READ watcher on each receiving end ` +
        `(one blocking loop), a Worker writing ${k(SIZES.W9messages)} single bytes to random pairs as fast as it can; ` +
        `io collect interval 0, 1 ms, 5 ms ("vs Node": against evkit-collect-0; process CPU includes the worker's writes, ` +
        `loop thread CPU (Linux only) does not)`,
      short: `W9 independent senders ${k(SIZES.W9messages)}`,
      metrics: [
        { key: 'rate', label: 'rate', unit: 'messages/s', better: 'higher', scale: 'rate' },
        { key: 'callbacksPerIteration', label: 'callbacks per iteration', unit: 'callbacks/iter', better: 'higher' },
        { key: 'cpuUsPerMessage', label: 'process CPU per message', unit: 'µs', better: 'lower' },
        { key: 'loopCpuUsPerMessage', label: 'loop thread CPU per message', unit: 'µs', better: 'lower' },
      ],
      jobs: manyFds(
        'W9',
        W9_FDS_NEEDED,
        ['evkit-collect-0', 'evkit-collect-1ms', 'evkit-collect-5ms'].map((system) =>
          node(system, { pairs: SIZES.W9pairs, m: SIZES.W9messages }),
        ),
      ),
      // No Node equivalent: the ratios are against the default interval.
      nodeRef: ['evkit-collect-0'],
      cRef: {},
    },
    {
      id: 'K',
      title:
        `K per-kind costs: construct + start + stop + close of one watcher, and one delivered callback (fed), ` +
        `×${k(SIZES.K)} (signal, stat ×${k(SIZES.KSlow)}); Node: setTimeout + clearTimeout, setImmediate`,
      short: 'K per kind',
      metrics: [
        { key: 'lifecycleNs', label: 'life', unit: 'ns', better: 'lower', digits: 0 },
        { key: 'fireNs', label: 'fire', unit: 'ns', better: 'lower', digits: 0 },
      ],
      jobs: [
        node('node', { n: SIZES.K }),
        ...['timer', 'periodic', 'prepare', 'check', 'idle', 'fork', 'io', 'async'].map((kind) => node(kind, { n: SIZES.K })),
        ...['signal', 'stat'].map((kind) => node(kind, { n: SIZES.KSlow })),
      ],
      nodeRef: ['node'],
      cRef: {},
    },
    {
      id: 'Ha',
      title: `Ha hand-off per iteration: a 0-delay timer re-armed from its callback ×${k(SIZES.Ha)} (Node: setImmediate chain)`,
      short: `Ha re-armed timer ${k(SIZES.Ha)}`,
      metrics: [{ key: 'usPerIter', unit: 'µs/iter', better: 'lower' }],
      jobs: [
        node('evkit-blocking', { n: SIZES.Ha }),
        node('node-setImmediate', { n: SIZES.Ha }),
        node('evkit-attached', { n: SIZES.Ha }),
        ...cJob(C_LIBEV, 'timer_chain', [SIZES.Ha]),
        ...cJob(C_THREAD, 'handoff_thread', ['chain', SIZES.Ha]),
      ],
      nodeRef: ['node-setImmediate'],
      cRef: { 'evkit-blocking': C_LIBEV, 'evkit-attached': C_THREAD, 'node-setImmediate': C_LIBEV },
    },
    {
      id: 'Hb',
      title: `Hb wake-up latency: start a 0-delay timer → its callback; ${k(SIZES.Hb)} samples, ${SIZES.HbGapMs} ms apart`,
      short: `Hb wake-up latency`,
      metrics: [
        { key: 'p50', label: 'p50', unit: 'µs', better: 'lower' },
        { key: 'p90', label: 'p90', unit: 'µs', better: 'lower' },
        { key: 'p99', label: 'p99', unit: 'µs', better: 'lower' },
      ],
      jobs: [
        node('evkit-attached', { samples: SIZES.Hb, gapMs: SIZES.HbGapMs }),
        node('node-setImmediate', { samples: SIZES.Hb, gapMs: SIZES.HbGapMs }),
        node('evkit-blocking', { samples: SIZES.Hb, gapMs: SIZES.HbGapMs }),
        ...cJob(C_THREAD, 'handoff_thread', ['wake', SIZES.Hb, SIZES.HbGapMs]),
      ],
      nodeRef: ['node-setImmediate'],
      cRef: { 'evkit-attached': C_THREAD },
    },
  ];
}

// ------------------------------------------------------------------ running

const JOB_TIMEOUT_MS = 180_000;

function runJob(workloadId, job) {
  let [cmd, args] =
    job.kind === 'c'
      ? [job.bin, job.args]
      : [process.execPath, ['--expose-gc', runnerPath, workloadId, job.system, JSON.stringify(job.params)]];
  if (job.wrap) [cmd, args] = ['bash', ['-c', ULIMIT_SCRIPT, cmd, ...args]];
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd: benchDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, JOB_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, error: String(error), wallMs: performance.now() - started });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      const line = stdout.trim().split('\n').filter(Boolean).pop();
      let parsed = null;
      try {
        parsed = line ? JSON.parse(line) : null;
      } catch {
        parsed = null;
      }
      if (timedOut) {
        resolve({ ok: false, error: `timed out after ${JOB_TIMEOUT_MS / 1000} s (killed)`, wallMs, stderr: stderr.slice(-2000) });
      } else if (parsed?.ok && code === 0) {
        resolve({ ok: true, metrics: parsed.metrics, info: parsed.info ?? {}, wallMs });
      } else {
        const why = parsed?.error ?? `exit code ${code}${signal ? `, signal ${signal}` : ''}`;
        resolve({ ok: false, error: why, wallMs, stderr: stderr.slice(-2000) });
      }
    });
  });
}

// ------------------------------------------------------------------ statistics and formatting

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function rateScale(v) {
  if (v >= 1e6) return { div: 1e6, prefix: 'M ' };
  if (v >= 1e3) return { div: 1e3, prefix: 'k ' };
  return { div: 1, prefix: '' };
}

function fmtNum(v, digits) {
  if (!Number.isFinite(v)) return '—';
  if (digits !== undefined) return v.toFixed(digits);
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

function fmtRatio(r) {
  if (!Number.isFinite(r)) return '—';
  return r >= 10 ? `${r.toFixed(0)}×` : r >= 1 ? `${r.toFixed(2)}×` : `${r.toFixed(3)}×`;
}

// ratio > 1: the row's system is faster / leaner than the reference.
function ratio(metric, row, ref) {
  if (!Number.isFinite(row) || !Number.isFinite(ref) || row <= 0 || ref <= 0) return NaN;
  return metric.better === 'higher' ? row / ref : ref / row;
}

const NODE_SHORT = {
  'node-queueMicrotask': 'µtask',
  'node-nextTick': 'nextTick',
};

function padTable(rows) {
  const cells = rows.filter((r) => r !== null);
  const widths = rows[0].map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  const right = new Set([2, 3, 5, 6]);
  const line = (r) =>
    r
      .map((cell, i) => (right.has(i) ? String(cell).padStart(widths[i]) : String(cell).padEnd(widths[i])))
      .join(' │ ')
      .trimEnd();
  const sep = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return [line(rows[0]), sep, ...rows.slice(1).map((r) => (r === null ? sep : line(r)))].join('\n');
}

// ------------------------------------------------------------------ main

async function main() {
  const startedAt = new Date();
  const c = await buildC();
  const wanted = (id) => opts.only === null || opts.only.includes(id);
  const manyFdIds = MANY_FD_IDS.filter(wanted);
  const files = manyFdIds.length > 0 ? probeFileLimit(manyFdIds) : { wrap: false, limit: NaN, note: '' };
  const skipped = [];
  const workloads = defineWorkloads(c, files, skipped).filter((w) => wanted(w.id));
  const cpus = os.cpus();
  const host = {
    cpus: cpus.length,
    model: cpus[0]?.model ?? 'unknown',
    memGB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
  const git = spawnSync('git', ['log', '-1', '--format=%h %s'], { cwd: benchDir, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--', '../packages'], { cwd: benchDir, encoding: 'utf8' });
  const commit = git.status === 0 ? git.stdout.trim() : 'unknown';
  const packagesDirty = dirty.status === 0 && dirty.stdout.trim() !== '';
  const loadStart = os.loadavg();
  // Our own runs add about 1 to the load average; more than that at the start means other work.
  const busy = loadStart[0] > cpus.length * 0.75;
  if (busy) {
    process.stderr.write(
      `warning: load average ${loadStart.map((l) => l.toFixed(2)).join(' ')} on ${cpus.length} CPUs: other work is running, results will be noisy\n`,
    );
  }
  const totalJobs = workloads.reduce((n, w) => n + w.jobs.length, 0) * opts.runs;
  process.stderr.write(
    `evkit bench: ${sizeName} sizes, ${opts.runs} runs × ${totalJobs / opts.runs} (workload, system) pairs, fresh process each\n` +
      `C floor: ${c.note}\n` +
      (files.note ? `${files.note}\n` : '') +
      skipped.map((s) => `${s}\n`).join(''),
  );

  // Interleaved: round i runs every (workload, system) once.
  const raw = [];
  const results = new Map(); // `${workload}\u0000${system}` -> array of run results
  let done = 0;
  for (let run = 0; run < opts.runs; run++) {
    const roundStart = performance.now();
    process.stderr.write(`run ${run + 1}/${opts.runs}:`);
    for (const w of workloads) {
      for (const job of w.jobs) {
        const r = await runJob(w.id, job);
        done++;
        raw.push({ run, workload: w.id, system: job.system, kind: job.kind, params: job.params ?? job.args, ...r });
        const key = `${w.id}\u0000${job.system}`;
        if (!results.has(key)) results.set(key, []);
        results.get(key).push(r);
        process.stderr.write(r.ok ? '.' : '!');
        if (!r.ok) process.stderr.write(`\n  ${w.id} ${job.system} FAILED: ${r.error}\n  `);
      }
      process.stderr.write(` ${w.id}`);
    }
    process.stderr.write(` (${((performance.now() - roundStart) / 1000).toFixed(1)} s)\n`);
  }

  // Summaries.
  const summary = [];
  const stat = (wId, system, key) => {
    const runs = (results.get(`${wId}\u0000${system}`) ?? []).filter((r) => r.ok && Number.isFinite(r.metrics?.[key]));
    const values = runs.map((r) => r.metrics[key]);
    if (values.length === 0) return null;
    return { median: median(values), min: Math.min(...values), max: Math.max(...values), values };
  };
  const tableRows = [['workload', 'system', 'median', 'min–max', 'unit', 'vs Node', 'vs C']];
  for (const w of workloads) addCeilings(w, results);
  for (const w of workloads) {
    tableRows.push(null);
    const rows = [...w.jobs, ...(w.ceilings ?? []).map((ceiling) => ({ system: ceiling.system, kind: 'ceiling' }))];
    for (const metric of w.metrics) {
      for (const job of rows) {
        const s = stat(w.id, job.system, metric.key);
        const all = results.get(`${w.id}\u0000${job.system}`) ?? [];
        const failures = all.filter((r) => !r.ok);
        if (s === null && failures.length === 0) continue; // metric not measured for this system
        const isNode = w.nodeRef.includes(job.system);
        let vsNode = [];
        if (!isNode && s !== null) {
          for (const ref of w.nodeRef) {
            const rs = stat(w.id, ref, metric.key);
            if (rs === null) continue;
            const r = ratio(metric, s.median, rs.median);
            vsNode.push({ ref, ratio: r });
          }
        }
        const cName = job.kind === 'c' || job.kind === 'ceiling' ? undefined : (w.cRef[job.system] ?? w.cRef['*']);
        const cs = cName ? stat(w.id, cName, metric.key) : null;
        const vsC = s !== null && cs !== null ? { ref: cName, ratio: ratio(metric, s.median, cs.median) } : null;
        summary.push({
          workload: w.id,
          kind: job.kind,
          metric: metric.key,
          unit: metric.unit,
          better: metric.better,
          system: job.system,
          runs: all.length,
          failures: failures.map((f) => f.error),
          median: s?.median ?? null,
          min: s?.min ?? null,
          max: s?.max ?? null,
          values: s?.values ?? [],
          vsNode,
          vsC,
        });

        const label = `${w.short}${metric.label ? ` — ${metric.label}` : ''}`;
        let med = 'FAILED';
        let range = '';
        let unit = metric.unit;
        if (s !== null) {
          if (metric.scale === 'rate') {
            const sc = rateScale(s.median);
            med = fmtNum(s.median / sc.div);
            range = `${fmtNum(s.min / sc.div)}–${fmtNum(s.max / sc.div)}`;
            unit = `${sc.prefix}${metric.unit}`;
          } else {
            med = fmtNum(s.median, metric.digits);
            range = `${fmtNum(s.min, metric.digits)}–${fmtNum(s.max, metric.digits)}`;
          }
          if (failures.length > 0) med = `${med} (${failures.length}/${all.length} failed)`;
        }
        const nodeCell = isNode
          ? 'ref'
          : vsNode.length === 1
            ? fmtRatio(vsNode[0].ratio)
            : vsNode.map((v) => `${fmtRatio(v.ratio)} ${NODE_SHORT[v.ref] ?? v.ref}`).join(', ');
        const cCell = job.kind === 'c' ? 'ref' : vsC ? fmtRatio(vsC.ratio) : '';
        tableRows.push([label, job.label ?? job.system, med, range, unit, nodeCell || '', cCell]);
      }
    }
  }
  tableRows.splice(1, 1); // the first separator is drawn by padTable

  const elapsed = (Date.now() - startedAt.getTime()) / 1000;
  const loadEnd = os.loadavg();
  host.loadavg = { start: loadStart, end: loadEnd, busy };
  const header = [
    '',
    `evkit bench — ${startedAt.toISOString()} — ${host.cpus}× ${host.model}, ${host.memGB} GB, ${host.platform}, Node ${host.node}`,
    `evkit at ${commit}${packagesDirty ? ' (packages/ has uncommitted changes)' : ''}; C floor: ${c.ok ? c.note : c.note.split('\n')[0]}`,
    `${sizeName} sizes; ${opts.runs} fresh-process runs per row, systems interleaved; median and min–max over the runs`,
    `load average (1 min) ${loadStart[0].toFixed(2)} at start, ${loadEnd[0].toFixed(2)} at end (this bench adds ~1)${busy ? ' — the machine was busy: expect wide min–max ranges' : ''}`,
    'Ratios: >1 means the row is FASTER (or leaner) than the reference, <1 slower.',
    '  throughput rows (…/s): row ÷ reference;  time, latency and memory rows (µs, B, MB): reference ÷ row.',
    '  "vs Node": against the Node built-in of the same workload (W9: against evkit-collect-0); "vs C": against plain C on the libev evkit links.',
    '',
  ];
  // With --json, stdout carries the JSON document only and the table goes to stderr.
  const tableOut = opts.json ? process.stderr : process.stdout;
  tableOut.write(`${header.join('\n')}${padTable(tableRows)}\n\n`);
  const notes = [];
  for (const w of workloads) notes.push(`${w.title}`);
  if (!c.ok) notes.push(`C floor ${c.note}`);
  if (files.note) notes.push(files.note);
  notes.push(...skipped);
  tableOut.write(`${notes.map((n) => `  ${n}`).join('\n')}\n`);
  const failed = raw.filter((r) => !r.ok);
  if (failed.length > 0) {
    tableOut.write(`\n${failed.length} run(s) failed:\n`);
    for (const f of failed) tableOut.write(`  run ${f.run + 1} ${f.workload} ${f.system}: ${f.error}\n`);
  }

  mkdirSync(resultsDir, { recursive: true });
  // A smoke run (the test suite's) does not replace the last real results.
  const out = path.join(resultsDir, opts.smoke ? 'smoke.json' : 'latest.json');
  const doc = `${JSON.stringify(
    {
      date: startedAt.toISOString(),
      elapsedSeconds: elapsed,
      host,
      commit,
      packagesDirty,
      options: { quick: opts.quick, smoke: opts.smoke, runs: opts.runs, only: opts.only, c: opts.c },
      sizes: SIZES,
      cFloor: { ok: c.ok, note: c.note },
      fileLimit: { limit: files.limit, note: files.note, skipped },
      ratioConvention: '>1 means the row is faster/leaner than the reference (higher-is-better: row/ref; lower-is-better: ref/row)',
      summary,
      raw,
    },
    null,
    2,
  )}\n`;
  writeFileSync(out, doc);
  tableOut.write(`\nraw results: ${path.relative(process.cwd(), out) || out}  (${elapsed.toFixed(0)} s in all)\n`);
  if (opts.json) process.stdout.write(doc);
  if (failed.length > 0) process.exitCode = 1;
}

await main();
