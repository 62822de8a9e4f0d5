// LoopCore's attached mode, the fast path: the JS thread runs loop passes
// itself while the loop thread waits for a hand-off.
//
// A hand-off costs a round trip between two threads through the kernel, tens
// of microseconds when the loop thread has to be woken. But once the JS
// thread holds a batch, the loop thread is parked inside its invoke-pending
// hook and the JS thread holds mutex_: the loop is the JS thread's to run.
// libev allows a nested ev_run from inside a callback (ev_depth), so the JS
// thread goes on with ev_run(EVRUN_NOWAIT) passes of its own and delivers
// their callbacks directly, as long as each pass yields a callback and the
// budget lasts. A ping-pong or a timer re-armed from its callback then never
// leaves the JS thread; the loop thread gets the loop back only to sleep.
//
// What keeps this sound:
// - The loop thread is never inside the backend poll meanwhile (libev would
//   abort on the recursion): passes run only while it waits in the hook.
// - The release/acquire callbacks do nothing on the JS thread (the mutex is
//   held for the whole pass) and the invoke hook delivers here instead of
//   handing off (jsPass_).
// - Callbacks run inside ev_run on this thread. Those that end the loop's
//   attachment (detach, destroy, a failing backend, a terminating worker) or
//   re-attach it stop the passes: the hook delivers nothing more and breaks
//   out, and what was recorded but not delivered was fed back to libev by
//   StopThread, to be delivered by whatever runs the loop next.
#include <poll.h>
#include <uv.h>

#include "env_state.h"
#include "loop_core.h"

namespace evkit {
namespace {

// How long the JS thread keeps the loop while its passes yield callbacks,
// before it lets Node's own loop have a turn (the loop thread takes the loop
// back and hands off again if there is more). Measured here: 1 ms instead of
// 0.5 ms took the bench's attached Io ping-pong from 0.80-0.83 to 0.84-0.87
// of blocking mode, and left a Node setInterval(1) beside a saturated loop
// 96% of its rate alone (99% with 0.5 ms).
constexpr uint64_t kPassBudgetNs = 1000 * 1000;
// How often, within that budget, the passes ask whether Node has work of its
// own waiting; if so they end early. Without it a loop that always has work
// took the whole budget every turn: a Node HTTP server beside an endless
// evkit ping-pong kept 29% of its request rate, against 90% beside the same
// ping-pong done with Node's net. Each question is a system call (~1 µs
// here), so it is asked every 50 µs while Node is idle, and every 10 µs
// after a turn Node cut short: a chain of dependent Node I/O steps (a
// request over a new connection) waits at each step for the next question.
constexpr uint64_t kNodeCheckIdleNs = 50 * 1000;
constexpr uint64_t kNodeCheckBusyNs = 10 * 1000;

// Whether Node's loop has something to do now: I/O ready in its backend, or
// (by its cached clock) a timer due, an immediate or a close pending.
bool NodeHasWork(uv_loop_t* uv, uint64_t sincePassStartNs) {
  int timeout = uv_backend_timeout(uv);
  if (timeout >= 0 && static_cast<uint64_t>(timeout) * 1000 * 1000 <= sincePassStartNs) return true;
  struct pollfd backend = {uv_backend_fd(uv), POLLIN, 0};
  return backend.fd >= 0 && poll(&backend, 1, 0) > 0;
}

}  // namespace

bool LoopCore::JsPassMayGoOn() const {
  return attached_ && !stopping_ && !destroyRequested_ && !jsDead_ && !env_->exiting &&
         attachEpoch_ == passEpoch_;
}

// JS thread, mutex_ held, the loop thread waiting for this hand-off to end;
// `epoch`: the attachment that handed it off. First what the delivered callbacks made pending (the loop thread would
// invoke that before its next iteration), then whole passes.
void LoopCore::RunJsPasses(uint64_t epoch) noexcept {
  passEpoch_ = epoch;
  if (!JsPassMayGoOn()) return;
  const uint64_t start = uv_hrtime();
  const uint64_t checkEvery = nodeWasBusy_ ? kNodeCheckBusyNs : kNodeCheckIdleNs;
  uint64_t nextNodeCheck = start + checkEvery;
  nodeWasBusy_ = false;
  uv_loop_t* uv = uvAsync_ != nullptr ? uvAsync_->loop : nullptr;
  LoopCore* previous = CurrentlyRunning();
  SetCurrentlyRunning(this);
  jsPass_ = true;
  while (JsPassMayGoOn()) {
    const size_t before = jsDelivered_;
    if (ev_pending_count(loop_) > 0) {
      InvokeOnJsThread();
    } else {
      jsPassRuns_++;
      ev_run(loop_, EVRUN_NOWAIT);
      jsPassRuns_--;
    }
    if (jsDelivered_ == before) break;
    const uint64_t now = uv_hrtime();
    if (now - start > kPassBudgetNs) break;
    if (now >= nextNodeCheck && uv != nullptr) {
      if (NodeHasWork(uv, now - start)) {
        nodeWasBusy_ = true;
        break;
      }
      nextNodeCheck = now + checkEvery;
    }
  }
  jsPass_ = false;
  SetCurrentlyRunning(previous);
  // A callback suspended the loop: ev_run has unwound, libev may suspend now.
  if (suspendAfterPass_ && loop_ != nullptr) {
    suspendAfterPass_ = false;
    ev_suspend(loop_);
  }
}

// The invoke-pending hook of a pass on the JS thread: as the loop thread's,
// but the batch is delivered here.
void LoopCore::InvokeOnJsThread() noexcept {
  while (JsPassMayGoOn()) {
    ev_invoke_pending(loop_);  // internal watchers run here; user ones are recorded
    if (NothingToDeliver()) break;
    jsDelivered_ += DeliverRecorded();
    if (ev_pending_count(loop_) == 0) break;
  }
  // The loop is no longer this thread's to run: leave ev_run at once (libev
  // checks right after the prepare phase and at the end of each iteration).
  if (!JsPassMayGoOn() && loop_ != nullptr) ev_break(loop_, EVBREAK_ALL);
}

}  // namespace evkit
