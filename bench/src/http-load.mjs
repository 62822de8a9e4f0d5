// W8's load generator, forked by runner.mjs:
//   node src/http-load.mjs <url> <concurrency> <warm-up ms> <measured ms>
// `concurrency` keep-alive connections, each sending its next GET as soon as
// the previous response has ended. Tells the parent over IPC when the measured
// window opens and closes ({ phase: 'measure' | 'stop' }), then sends
// { ok, ms, lat }: the window's length and the latency (ms) of every request
// that completed inside it; or { ok: false, error }.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const [url, concurrency, warmMs, windowMs] = process.argv.slice(2).map((a, i) => (i === 0 ? a : Number(a)));
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const lat = [];
let phase = 'warm';

// One connection's request loop; resolves once the window has closed.
function user() {
  return new Promise((resolve, reject) => {
    const next = () => {
      const t0 = performance.now();
      http
        .get(url, { agent }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
          res.resume();
          res.once('end', () => {
            if (phase === 'measure') lat.push(performance.now() - t0);
            if (phase === 'stop') resolve();
            else next();
          });
        })
        .once('error', reject);
    };
    next();
  });
}

// Opens the window after the warm-up and closes it `windowMs` later; resolves with its length.
function measuredWindow() {
  return new Promise((resolve) => {
    setTimeout(() => {
      phase = 'measure';
      process.send({ phase });
      const opened = performance.now();
      setTimeout(() => {
        phase = 'stop';
        process.send({ phase });
        resolve(performance.now() - opened);
      }, windowMs);
    }, warmMs);
  });
}

async function main() {
  const [ms] = await Promise.all([measuredWindow(), ...Array.from({ length: concurrency }, user)]);
  return { ok: true, ms, lat };
}

// Exits once the report is out (a failed request leaves the window's timers pending).
function finish(report, code) {
  agent.destroy();
  process.send(report, () => process.exit(code));
}

main().then(
  (report) => finish(report, 0),
  (error) => finish({ ok: false, error: String(error?.stack ?? error) }, 1),
);
