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
    if (jsDelivered_ == before || uv_hrtime() - start > kPassBudgetNs) break;
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
