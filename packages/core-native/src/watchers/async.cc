// Async (ev_async): the one libev watcher another thread may poke.
//
// Cross-thread access never carries a pointer through JS. A watcher that is
// asked for a sender publishes {loop, watcher} in a process-wide table under a
// fresh 64-bit id; any thread (the owner's, a worker's) sends by id. The table
// has one mutex, held by a send for the whole ev_async_send, and by the
// withdrawal of an entry. An entry is withdrawn on the owner's thread before
// its watcher can be stopped for good or freed and before its loop can be
// destroyed: close(), the loop's destroy() (also the env cleanup hook when a
// worker exits or is terminated) and the watcher's finaliser. So a send either
// completes against live memory or finds no entry and reports false.
//
// ev_async_send needs the loop's wake-up fd; every evkit loop starts an
// internal ev_async at creation, so it exists even before this watcher starts.
#include "watchers/async.h"

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "watcher_kind.h"

namespace evkit {
namespace {

class SendTable {
 public:
  static SendTable& Get() {
    // Never destroyed: worker threads may still send while the process exits.
    static SendTable* table = new SendTable();
    return *table;
  }

  uint64_t Publish(struct ev_loop* loop, ev_async* w) {
    std::lock_guard<std::mutex> lock(mutex_);
    uint64_t id = nextId_++;
    targets_.emplace(id, Target{loop, w});
    return id;
  }

  // Returns once no send can reach the entry any more.
  void Withdraw(uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    targets_.erase(id);
  }

  bool Send(uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = targets_.find(id);
    if (it == targets_.end()) return false;
    ev_async_send(it->second.loop, it->second.watcher);
    return true;
  }

 private:
  struct Target {
    struct ev_loop* loop;
    ev_async* watcher;
  };

  std::mutex mutex_;
  std::unordered_map<uint64_t, Target> targets_;
  uint64_t nextId_ = 1;  // 0 means "none"; 2^64 ids are never exhausted
};

// Persistent: its sender id must outlive a stop, so the native half lives
// from the JS constructor (watcherCreate) to close() or the GC.
class AsyncWatcher final : public KindWatcher<AsyncWatcher, ev_async> {
 public:
  static constexpr Kind kKind = kKindAsync;

  static WatcherBase* Make(LoopCore* core, double, double, int*) { return new AsyncWatcher(core); }

  ~AsyncWatcher() override { Leave(); }

  // libev's start clears `sent`: a send made while stopped is lost.
  void StartIn(struct ev_loop* loop) { ev_async_start(loop, &ev_); }
  static void StopIn(struct ev_loop* loop, ev_async* w) { ev_async_stop(loop, w); }

  // asyncNotify(id): ev_async_send from the JS thread. Thread-safe in libev:
  // no loop lock, also on an attached loop.
  Napi::Value Send(const Napi::CallbackInfo& info) {
    if (Usable()) ev_async_send(core()->loop(), &ev_);
    return info.Env().Undefined();
  }

  // A send is waiting for this watcher's callback: libev's flag, or (attached)
  // the loop thread already took it and the JS thread has yet to deliver it.
  // A stopped watcher has none waiting: its sends are lost.
  Napi::Value Sent(const Napi::CallbackInfo& info) {
    bool sent = false;
    if (Usable()) {
      LoopCore::Lock lock(core());
      sent = ev_is_active(&ev_) && (ev_async_pending(&ev_) || Pending());
    }
    return Napi::Boolean::New(info.Env(), sent);
  }

  // The id other threads send by (0n for a watcher that left its loop).
  Napi::Value SenderId(const Napi::CallbackInfo& info) {
    if (senderId_ == 0 && Usable()) senderId_ = SendTable::Get().Publish(core()->loop(), &ev_);
    return Napi::BigInt::New(info.Env(), senderId_);
  }

 protected:
  void OnLeavingLoop() override { Withdraw(); }

 private:
  explicit AsyncWatcher(LoopCore* core) : KindWatcher(core, true) {
    // ev_async_set is a no-op and ev_async_pending reads `sent`: give it a value.
    ev_.sent = 0;
  }

  void Withdraw() {
    if (senderId_ == 0) return;
    SendTable::Get().Withdraw(senderId_);
    senderId_ = 0;
  }

  uint64_t senderId_ = 0;
};

// asyncSend(id: bigint): boolean, from any thread. Raw N-API: it is the hot
// path of every cross-thread wake-up.
napi_value AsyncSend(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg = nullptr;
  napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr);
  uint64_t id = 0;
  bool lossless = false;
  bool sent = argc >= 1 && napi_get_value_bigint_uint64(env, arg, &id, &lossless) == napi_ok &&
              lossless && id != 0 && SendTable::Get().Send(id);
  napi_value result = nullptr;
  napi_get_boolean(env, sent, &result);
  return result;
}

}  // namespace

void InitAsync(Napi::Env env, Napi::Object exports) {
  RegisterKind(kKindAsync, &AsyncWatcher::Make);
  ExportKindFunction<AsyncWatcher, &AsyncWatcher::Send>(env, exports, "asyncNotify");
  ExportKindFunction<AsyncWatcher, &AsyncWatcher::Sent>(env, exports, "asyncSent");
  ExportKindFunction<AsyncWatcher, &AsyncWatcher::SenderId>(env, exports, "asyncSenderId");
  napi_value fn = nullptr;
  if (napi_create_function(env, "asyncSend", NAPI_AUTO_LENGTH, AsyncSend, nullptr, &fn) == napi_ok) {
    exports.Set("asyncSend", Napi::Value(env, fn));
  }
}

}  // namespace evkit
