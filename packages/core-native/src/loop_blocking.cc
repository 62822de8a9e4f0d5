// LoopCore's blocking run: how pending watchers reach JS when Run() drives
// the loop on the JS thread.
//
// Each pass of ev_invoke_pending runs internal watchers natively and records
// user watchers (in libev's order: priority, then LIFO) into batch_. The
// batch goes to JS as (id, revents) pairs in one call of the deliver hook.
// The order stays libev's even when a callback feeds a watcher: libev would
// run that one next (ev_feed_event restarts its scan at the top priority),
// so the hook stops after that callback, and the entries it did not deliver
// are fed back to libev behind the new event, to be recorded again. A pass
// longer than a run is handed over in runs as it is recorded.
#include <algorithm>

#include "env_state.h"
#include "loop_core.h"
#include "watcher.h"

namespace evkit {

// Slot 0 of the batch array: set when a callback made a watcher pending.
constexpr size_t kStopSlot = 0;
constexpr size_t kFirstEntry = 1;
// Entries handed to JS per call at most: the batch array and the scratch
// beside it stay small and warm instead of growing with the batch (200k
// expired timers made them megabytes, each page a fault in a fresh process).
constexpr size_t kMaxRun = 1024;

void LoopCore::InvokeBlocking() noexcept {
  do {
    collecting_ = true;
    ev_invoke_pending(loop_);
    collecting_ = false;
    if (NothingToDeliver()) break;
    if (!batch_.empty()) DeliverBatch();
    DeliverPosts();
    NotifyAfterJs();
  } while (!destroyRequested_ && !jsDead_ && ev_pending_count(loop_) > 0);
}

// A foreign loop its owner runs (not evkit's hook) has nobody collecting a
// batch: each event goes to JS at once. A long pass goes to JS in runs while
// libev invokes it, so the recorded batch never outgrows one run (200k
// expired timers made it megabytes); libev keeps the rest pending, in order.
void LoopCore::RecordedBlocking() {
  if (collecting_ && batch_.size() < kMaxRun) return;
  bool collecting = collecting_;
  collecting_ = false;
  DeliverBatch();
  NotifyAfterJs();
  collecting_ = collecting;
}

void LoopCore::NoteFed(WatcherBase* w) {
  if (!deliveringBatch_) return;
  fed_.push_back(w->id());
  if (batchData_ != nullptr) batchData_[kStopSlot] = 1;
}

bool LoopCore::ReserveBatchArray(size_t entries) {
  size_t need = kFirstEntry + 2 * entries;
  if (need <= batchCapacity_) return true;
  napi_env env = env_->env();
  size_t capacity = std::max<size_t>({need, 2 * batchCapacity_, 64});
  if (batchArray_ != nullptr) napi_delete_reference(env, batchArray_);
  batchArray_ = nullptr;
  batchData_ = nullptr;
  batchCapacity_ = 0;
  napi_value buffer, array;
  void* data = nullptr;
  if (napi_create_arraybuffer(env, capacity * sizeof(double), &data, &buffer) != napi_ok) return false;
  napi_create_typedarray(env, napi_float64_array, capacity, buffer, 0, &array);
  napi_create_reference(env, array, 1, &batchArray_);
  batchData_ = static_cast<double*>(data);
  batchCapacity_ = capacity;
  return true;
}

void LoopCore::DeliverBatch() noexcept {
  auto keep = shared_from_this();
  std::vector<Delivery> batch;
  batch.swap(batch_);
  // Forget() reaches it while it is delivered; afterwards it hands its
  // capacity back, so a pass of one callback allocates nothing.
  struct GiveBack {
    std::vector<Delivery>& from;
    std::vector<Delivery>& to;
    std::vector<Delivery>*& current;
    std::vector<Delivery>* outer;
    ~GiveBack() {
      current = outer;
      from.clear();
      if (to.empty()) to.swap(from);
    }
  } giveBack{batch, batch_, blockingBatch_, blockingBatch_};
  blockingBatch_ = &batch;
  size_t next = 0;
  while (next < batch.size() && !destroyRequested_) {
    if (batch[next].watcher == nullptr) {
      // The runCallback drain's turn (a forgotten entry has revents -1).
      if (batch[next++].revents != -1) {
        deliveringBatch_ = true;
        RunDrain();
        deliveringBatch_ = false;
      }
      if (!fed_.empty()) {
        Uncollect(&batch, next);
        return;
      }
      continue;
    }
    size_t end = next;
    while (end < batch.size() && batch[end].watcher != nullptr && end - next < kMaxRun) end++;
    next = DeliverRun(&batch, next, end);
    if (!fed_.empty()) {
      Uncollect(&batch, next);
      return;
    }
  }
}

// Delivers batch[from, to) (no drain among them); returns where it stopped:
// `to`, or the first entry left undelivered after a callback fed a watcher
// (fed_ says so, also when that callback was the last of the run).
size_t LoopCore::DeliverRun(std::vector<Delivery>* batch, size_t from, size_t to) noexcept {
  napi_env env = env_->env();
  if (jsDead_ || env_->exiting || env_->deliver() == nullptr) {
    for (size_t i = from; i < to; i++) {
      WatcherBase* w = (*batch)[i].watcher;
      if (w != nullptr && w->Has(WatcherBase::kQueued)) w->Undeliver();
    }
    return to;
  }
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return to;
  if (!ReserveBatchArray(to - from)) {
    napi_close_handle_scope(env, scope);
    return to;
  }
  // The index in `batch` of each entry handed to JS (reused: a nested run of
  // this loop delivers only after this call has read it back).
  std::vector<size_t> sent;
  sent.swap(sentScratch_);
  sent.clear();
  batchData_[kStopSlot] = 0;
  for (size_t i = from; i < to; i++) {
    Delivery& d = (*batch)[i];
    if (!d.watcher->Has(WatcherBase::kQueued)) continue;  // stopped since
    d.revents = d.watcher->Collect(d.revents, /*queuedForJs=*/true);
    batchData_[kFirstEntry + 2 * sent.size()] = d.watcher->id();
    batchData_[kFirstEntry + 2 * sent.size() + 1] = d.revents;
    sent.push_back(i);
  }
  size_t delivered = sent.size();
  if (!sent.empty()) {
    napi_value argv[2], recv, result = nullptr;
    napi_get_reference_value(env, batchArray_, &argv[0]);
    napi_create_uint32(env, static_cast<uint32_t>(sent.size()), &argv[1]);
    napi_get_undefined(env, &recv);
    deliveringBatch_ = true;
    CallResult r = CallJs(env_->deliver(), recv, 2, argv, &result);
    deliveringBatch_ = false;
    if (r == CallResult::kJsDead) MarkJsDead();
    uint32_t count = 0;
    if (r == CallResult::kOk && result != nullptr && napi_get_value_uint32(env, result, &count) == napi_ok &&
        count < sent.size()) {
      delivered = count;
    }
  }
  uint8_t* state = env_->StateBytes();
  for (size_t k = 0; k < sent.size(); k++) {
    WatcherBase* w = env_->watchers.Find(batchData_[kFirstEntry + 2 * k]);
    if (w == nullptr) {
      (*batch)[sent[k]].watcher = nullptr;  // closed, or its loop destroyed
      (*batch)[sent[k]].revents = -1;
      continue;
    }
    if (k < delivered) {
      // Left queued only when JS could not run.
      if (state != nullptr) state[w->index()] &= ~kStateQueued;
      w->ReleaseIfIdle();
    }
  }
  napi_close_handle_scope(env, scope);
  size_t stopped = delivered < sent.size() ? sent[delivered] : to;
  sentScratch_.swap(sent);
  return stopped;
}

// A callback fed a watcher: libev runs that one next, then the rest of the
// batch. Feeding the rest back behind it (LIFO per priority: the rest in
// reverse, then the fed ones again) makes the next ev_invoke_pending pass
// record them in libev's own order.
void LoopCore::Uncollect(std::vector<Delivery>* batch, size_t from) noexcept {
  std::vector<double> fedIds;
  fedIds.swap(fed_);
  std::vector<std::pair<WatcherBase*, int>> fed;
  for (double id : fedIds) {
    WatcherBase* w = env_->watchers.Find(id);
    if (w != nullptr && w->Usable()) fed.emplace_back(w, ev_clear_pending(loop_, w->w()));
  }
  uint8_t* state = env_->StateBytes();
  for (size_t i = batch->size(); i-- > from;) {
    Delivery& d = (*batch)[i];
    if (d.watcher == nullptr) {
      if (d.revents != -1) ev_feed_event(loop_, &drainPrepare_, EV_PREPARE);
      continue;
    }
    WatcherBase* w = d.watcher;
    int revents = d.revents;
    if (!w->Has(WatcherBase::kQueued) && (state == nullptr || (state[w->index()] & kStateQueued) == 0)) {
      continue;  // stopped since
    }
    w->Unqueue();  // also forgets this very entry (Forget): read it first
    ev_feed_event(loop_, w->w(), revents);
    w->Publish();
  }
  for (auto& [w, revents] : fed) {
    if (revents != 0) ev_feed_event(loop_, w->w(), revents);
  }
}

}  // namespace evkit
