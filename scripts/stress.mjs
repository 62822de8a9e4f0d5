#!/usr/bin/env node
// pnpm test:stress [--runs N] [--burners N] [--timeout MIN] [--filter PKG]... [--no-build]
//
// Runs the whole test suite N times (default 20) the way CI does (turbo runs
// every package's vitest in parallel), with a CPU burner on every core, and
// reports every test that failed at least once: its messages and in how many
// runs it failed. Builds once before the first run. Per-run logs go to a temp
// directory, which is printed. Exits non-zero if any run failed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, createWriteStream, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reporter = path.join(root, 'scripts', 'stress-reporter.mjs');

function usage(message) {
  if (message) console.error(`stress: ${message}`);
  console.error('usage: pnpm test:stress [--runs N] [--burners N] [--timeout MINUTES] [--filter PACKAGE]... [--no-build]');
  process.exit(2);
}

const options = { runs: 20, burners: os.availableParallelism(), timeout: 20, build: true, filters: [] };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const [flag, inline] = argv[i].split('=', 2);
  const value = () => {
    const text = inline ?? argv[++i];
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) usage(`${flag} needs a whole number, got ${text}`);
    return n;
  };
  if (flag === '--') continue; // pnpm passes it through
  else if (flag === '--runs') options.runs = value();
  else if (flag === '--burners') options.burners = value();
  else if (flag === '--timeout') options.timeout = value();
  else if (flag === '--filter') options.filters.push(inline ?? argv[++i] ?? usage('--filter needs a package name'));
  else if (flag === '--no-build') options.build = false;
  else if (flag === '--help' || flag === '-h') usage();
  else usage(`unknown option ${argv[i]}`);
}
if (options.runs < 1) usage('--runs must be at least 1');

const logDir = mkdtempSync(path.join(os.tmpdir(), 'evkit-stress-'));
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', FORCE_COLOR: '0', NO_COLOR: '1' };
console.log(`stress: ${options.runs} runs, ${options.burners} CPU burners, logs in ${logDir}`);

// ---- cleanup: burners and the current run die with us, whatever happens ----
const burners = [];
let current = null; // the running turbo, in its own process group
let stopping = false;

function killGroup(child, signal) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function cleanup() {
  for (const burner of burners.splice(0)) killGroup(burner, 'SIGKILL');
  killGroup(current, 'SIGKILL');
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.error(`\nstress: ${signal}, stopping`);
    if (!current) {
      cleanup();
      process.exit(130);
    }
    killGroup(current, 'SIGTERM'); // the main loop prints what it has and exits
    setTimeout(() => killGroup(current, 'SIGKILL'), 3000).unref();
  });
}
process.on('uncaughtException', (error) => {
  console.error(error);
  cleanup();
  process.exit(3);
});

// A burner spins and exits on its own as soon as its parent is gone (even after
// a SIGKILL of this script, which no handler sees).
const BURN = 'const p=process.ppid;for(;;){for(let i=0;i<2e7;i++);if(process.ppid!==p)process.exit(0)}';
function startBurners() {
  for (let i = 0; i < options.burners; i++) {
    burners.push(spawn(process.execPath, ['-e', BURN], { stdio: 'ignore', detached: true }));
  }
}

// ---- build once ----
if (options.build) {
  console.log('stress: building once (pnpm build)');
  const build = spawnSync('pnpm', ['build'], { cwd: root, env, encoding: 'utf8' });
  if (build.status !== 0) {
    process.stdout.write(build.stdout + build.stderr);
    console.error('stress: build failed');
    process.exit(1);
  }
}

// ---- the runs ----
/** key -> { project, file, name, runs: Set, messages: Map<message, count>, retried: number } */
const failures = new Map();
const retried = new Map();
const runFailures = []; // per run: list of reasons
let runsDone = 0;

function record(map, run, entry, messages) {
  const key = `${entry.project} ${entry.file} › ${entry.name}`;
  let item = map.get(key);
  if (!item) map.set(key, (item = { ...entry, runs: new Set(), messages: new Map() }));
  item.runs.add(run);
  for (const message of messages.length ? messages : ['(no message)']) {
    item.messages.set(message, (item.messages.get(message) ?? 0) + 1);
  }
}

function runOnce(run) {
  return new Promise((resolve) => {
    const reportDir = path.join(logDir, `run-${String(run).padStart(2, '0')}`);
    const logFile = `${reportDir}.log`;
    const log = createWriteStream(logFile);
    const started = Date.now();
    current = spawn(
      'pnpm',
      ['exec', 'turbo', 'run', 'test', '--only', '--continue=always', '--env-mode=loose',
        ...options.filters.map((f) => `--filter=${f}`),
        '--', '--reporter=default', `--reporter=${reporter}`],
      { cwd: root, env: { ...env, EVKIT_STRESS_REPORT_DIR: reportDir }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    current.stdout.pipe(log, { end: false });
    current.stderr.pipe(log, { end: false });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(current, 'SIGKILL');
    }, options.timeout * 60_000);
    current.on('close', (code, signal) => {
      clearTimeout(timer);
      log.end(() => resolve({ code, signal, timedOut, reportDir, logFile, seconds: (Date.now() - started) / 1000 }));
    });
  });
}

function analyse(run, result) {
  const reasons = [];
  const reports = existsSync(result.reportDir)
    ? readdirSync(result.reportDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(path.join(result.reportDir, f), 'utf8')))
    : [];
  for (const report of reports) {
    for (const test of report.tests) {
      const entry = { project: report.project, file: test.file, name: test.name };
      if (test.state === 'failed') {
        record(failures, run, entry, test.messages);
        reasons.push(`${report.project}: ${test.name}`);
      } else if (test.retries > 0) {
        record(retried, run, entry, test.messages);
      }
    }
    for (const error of report.moduleErrors) {
      record(failures, run, { project: report.project, file: error.file, name: '(error outside any test)' }, [error.message]);
      reasons.push(`${report.project}: ${error.file} (module error)`);
    }
    for (const message of report.unhandledErrors) {
      record(failures, run, { project: report.project, file: '', name: '(unhandled error)' }, [message]);
      reasons.push(`${report.project}: unhandled error`);
    }
  }
  // Tasks that failed without a test failure (a crash, an abort, a hang) show
  // up only in turbo's log.
  const text = readFileSync(result.logFile, 'utf8');
  const failedTasks = new Set();
  for (const match of text.matchAll(/^\s*Failed:\s+(.*)$/gm)) {
    for (const task of match[1].split(/[\s,]+/)) if (task.endsWith('#test')) failedTasks.add(task.slice(0, -5));
  }
  for (const match of text.matchAll(/^(\S+)#test:\s+ERROR\s+command .* exited \((\d+)\)/gm)) failedTasks.add(match[1]);
  for (const task of failedTasks) {
    const project = task.replace(/^@evkit\//, '');
    const reported = reports.some((r) => r.project === project && (r.tests.some((t) => t.state === 'failed') || r.moduleErrors.length || r.unhandledErrors.length));
    if (!reported) {
      const tail = text.split('\n').filter((line) => line.startsWith(`${task}:test:`)).slice(-3).map((l) => l.slice(task.length + 7).trim()).join(' | ');
      record(failures, run, { project, file: '', name: '(test task failed outside vitest\'s results: crash, abort or exit)' }, [tail || 'no output']);
      reasons.push(`${project}: task failed (${tail})`);
    }
  }
  if (result.timedOut) {
    record(failures, run, { project: '*', file: '', name: `(run killed after ${options.timeout} min: a hang)` }, ['timeout']);
    reasons.push('timeout');
  }
  if (reasons.length === 0 && result.code !== 0) {
    record(failures, run, { project: '*', file: '', name: '(turbo exited non-zero with no failed test)' }, [`exit ${result.code ?? result.signal}`]);
    reasons.push(`turbo exit ${result.code ?? result.signal}`);
  }
  return reasons;
}

function printItems(title, map) {
  if (map.size === 0) return;
  console.log(title);
  const items = [...map.values()].sort((a, b) => b.runs.size - a.runs.size || a.project.localeCompare(b.project));
  for (const item of items) {
    const runs = [...item.runs].sort((a, b) => a - b);
    console.log(`  [${item.project}] ${item.file ? `${item.file} › ` : ''}${item.name}`);
    console.log(`      in ${runs.length}/${runsDone} runs (run ${runs.join(', ')})`);
    for (const [message, count] of item.messages) console.log(`      ${count}× ${message}`);
  }
}

function summary(interrupted = false) {
  console.log('');
  printItems('stress: tests that failed at least once:', failures);
  printItems('stress: tests that failed once and passed on their single retry (logged, not counted as failures):', retried);
  const passed = runFailures.filter((reasons) => reasons.length === 0).length;
  console.log(`stress: logs in ${logDir}`);
  console.log(`stress: ${passed}/${runsDone} runs passed${interrupted ? ` (interrupted; ${options.runs} were planned)` : ''}`);
  return passed === runsDone && !interrupted;
}

startBurners();
const t0 = Date.now();
for (let run = 1; run <= options.runs && !stopping; run++) {
  const result = await runOnce(run);
  current = null;
  if (stopping) break;
  const reasons = analyse(run, result);
  runFailures.push(reasons);
  runsDone++;
  const status = reasons.length === 0 ? 'passed' : `FAILED: ${reasons.join('; ')}`;
  console.log(`stress: run ${run}/${options.runs} ${status} (${result.seconds.toFixed(0)} s, log ${result.logFile})`);
}
cleanup();
if (stopping) {
  summary(true);
  process.exit(130);
}
console.log(`stress: ${runsDone} runs in ${((Date.now() - t0) / 60_000).toFixed(1)} min`);
process.exit(summary() ? 0 : 1);
