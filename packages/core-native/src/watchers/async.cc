// Async (ev_async): the one libev watcher another thread may poke.
//
// Cross-thread access never carries a pointer through JS. A watcher that is
// asked for a sender publishes {loop, watcher} in a process-wide table under a
// fresh 64-bit id; any thread (the owner's, a worker's) sends by id. The table
// has one mutex, held by a send while it finds the entry and records the send,
// and by the withdrawal of an entry. An entry is withdrawn on the owner's
// thread before its watcher can be stopped for good or freed and before its
// loop can be destroyed: close(), the loop's destroy() (also the env cleanup
// hook when a worker exits or is terminated) and the watcher's finaliser. So a
// send either completes against live memory or finds no entry and reports false.
//
// The wake-up itself (ev_async_send, or uv_async_send on an attached loop:
// below) is a system call that costs the sender 3-17 us when it wakes another
// CPU; made under the mutex, the woken thread would wait for it there when it
// takes what was sent. So a send counts itself in flight under the mutex and
// wakes after releasing it, and whoever withdraws what it uses (the entry:
// Withdraw; an attached loop's wake-up handle: OnDetach) waits for the sends
// in flight to end. Nothing new can count itself in once the mutex has been
// released after the withdrawal, so the wait is bounded by one system call.
//
// ev_async_send needs the loop's wake-up fd; every evkit loop starts an
// internal ev_async at creation, so it exists even before this watcher starts.
//
// On an attached loop a send from another thread skips the loop thread: it
// wakes the JS thread (the loop's uv_async, as postMessage wakes its target),
// which records the event and delivers it while the loop thread sleeps on
// (LoopCore::DeliverDirect). One kernel wake-up instead of two in a row. Each
// loop's AsyncRoute holds that handle while the loop is attached and the
// watchers sent to since the JS thread last looked; both are guarded by the
// table mutex. When the loop thread stops, what was sent and not yet taken
// goes to libev (ev_async_send), for whoever runs the loop next.
//
// An AsyncMailbox's watcher also has a mailbox: senders append serialized
// values (bytes made on their own thread) under the same table mutex, then
// wake the loop; the callback's delivery takes them all in one call. The
// mailbox is one byte buffer, already in the layout JS reads: a lone message
// costs no allocation on either side (two buffers change hands, each keeping
// its capacity). The mailbox is bounded: a send to a full one is refused, and
// the sender decides (retry later, drop, slow down).
#include "watchers/async.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "watcher_kind.h"
#include "watchers/async_wake.h"

namespace evkit {
namespace {

class AsyncWatcher;

// The data of `value` if it is a typed array of `type` with at least
// `minLength` elements (their count in *length), else null.
void* TypedArrayData(napi_env env, napi_value value, napi_typedarray_type type, size_t minLength, size_t* length) {
  bool isTyped = false;
  napi_typedarray_type actual;
  void* data = nullptr;
  if (value == nullptr || napi_is_typedarray(env, value, &isTyped) != napi_ok || !isTyped ||
      napi_get_typedarray_info(env, value, &actual, length, &data, nullptr, nullptr) != napi_ok ||
      actual != type || *length < minLength) {
    return nullptr;
  }
  return data;
}

// What a send with a value answers (binding.ts AsyncPostResult).
enum PostResult : int32_t { kGone = 0, kPosted = 1, kFull = 2, kNoMailbox = 3 };

// How the bytes of a mailbox entry read (binding.ts asyncTakeMessages).
enum EntryKind : uint32_t { kNoValue = 0, kOneValue = 1, kBatch = 2 };

// What a send brings: serialized bytes of one message, or (kBatch) of an
// array whose elements are `count` messages, sent together and counted one
// by one against the limit. The bytes are the sender's until the send returns.
struct Entry {
  EntryKind kind = kNoValue;
  uint32_t count = 1;
  const uint8_t* data = nullptr;
  uint32_t length = 0;
};

// Entries back to back: each its kind and byte length (32-bit little-endian)
// and its bytes.
using EntryBytes = std::vector<uint8_t>;

struct Mailbox {
  explicit Mailbox(size_t limit) : limit(limit) {}
  EntryBytes entries;
  size_t queued = 0;  // messages in `entries`
  size_t limit;

  void Append(const Entry& entry) {
    uint8_t header[8];
    for (int i = 0; i < 4; i++) header[i] = static_cast<uint8_t>(entry.kind >> (8 * i));
    for (int i = 0; i < 4; i++) header[4 + i] = static_cast<uint8_t>(entry.length >> (8 * i));
    entries.insert(entries.end(), header, header + 8);
    entries.insert(entries.end(), entry.data, entry.data + entry.length);
    queued += entry.count;
  }
};

// Per loop (a LoopCore extension): see the top of this file. Its fields are
// read and written under the table mutex.
class AsyncRoute final : public LoopCore::Extension {
 public:
  static const char kKey;

  // JS thread. Made with the loop's first published sender.
  static AsyncRoute* Of(LoopCore* core) {
    if (auto* found = static_cast<AsyncRoute*>(core->FindExtension(&kKey))) return found;
    auto route = std::make_unique<AsyncRoute>(core);
    AsyncRoute* raw = route.get();
    core->AddExtension(&kKey, std::move(route));
    return raw;
  }

  explicit AsyncRoute(LoopCore* core) : loop_(core->loop()), jsWake_(core->jsWake()) {}

  void OnAttach(uv_async_t* jsWake) noexcept override;
  void OnDetach(struct ev_loop*) noexcept override;
  void RecordDirect() noexcept override;
  void Retire(struct ev_loop* loop) noexcept override { OnDetach(loop); }

  // Table mutex held: the one way a send reaches `w` (any thread); the
  // wake-up it returns is run once the mutex is released.
  [[nodiscard]] Wake Send(AsyncWatcher* w);
  void Unflag(AsyncWatcher* w);

 private:
  // JS thread: the watchers sent to since the last look, each unflagged
  // (table mutex taken here). Valid until the next call.
  const std::vector<AsyncWatcher*>& TakeFlagged();

  struct ev_loop* loop_;
  uv_async_t* jsWake_;
  std::vector<AsyncWatcher*> flagged_;  // sent to, in order, each once
  // TakeFlagged's: swapped with flagged_, so neither side allocates per send.
  std::vector<AsyncWatcher*> taken_;
  InFlight jsWakesInFlight_;  // sends waking jsWake_ (OnDetach drains them)
};

const char AsyncRoute::kKey = 0;

class SendTable {
 public:
  static SendTable& Get() {
    // Never destroyed: worker threads may still send while the process exits.
    static SendTable* table = new SendTable();
    return *table;
  }

  uint64_t Publish(AsyncWatcher* watcher, Mailbox* mailbox, AsyncRoute* route) {
    std::lock_guard<std::mutex> lock(mutex_);
    uint64_t id = nextId_++;
    targets_.emplace(id, Target{watcher, mailbox, route});
    return id;
  }

  std::mutex& mutex() { return mutex_; }

  // Returns once no send can reach the entry any more.
  void Withdraw(uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    targets_.erase(id);
  }

  // A plain wake-up.
  bool Send(uint64_t id) {
    Wake wake;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = targets_.find(id);
      if (it == targets_.end()) return false;
      wake = it->second.route->Send(it->second.watcher);
    }
    wake.Run();
    return true;
  }

  // An entry for a watcher with a mailbox; one without takes only a send
  // without a value (a plain wake-up). The bytes are copied under the lock:
  // no allocation of their own, and a message is mostly tens of bytes.
  PostResult Post(uint64_t id, const Entry& entry) {
    Wake wake;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = targets_.find(id);
      if (it == targets_.end()) return kGone;
      const Target& target = it->second;
      Mailbox* mailbox = target.mailbox;
      if (mailbox != nullptr) {
        if (entry.count > mailbox->limit - mailbox->queued) return kFull;
        mailbox->Append(entry);
      } else if (entry.kind != kNoValue) {
        return kNoMailbox;
      }
      wake = target.route->Send(target.watcher);
    }
    wake.Run();
    return kPosted;
  }

  // The owner's thread: every entry so far, oldest first, in `out` (which
  // must be empty; the mailbox keeps its buffer for the next entries).
  void Take(Mailbox* mailbox, EntryBytes* out) {
    std::lock_guard<std::mutex> lock(mutex_);
    out->swap(mailbox->entries);
    mailbox->queued = 0;
  }

  size_t Queued(Mailbox* mailbox) {
    std::lock_guard<std::mutex> lock(mutex_);
    return mailbox->queued;
  }

  // The owner's thread: as Take, into `out` (`capacity` bytes) if every entry
  // fits there and there is one; returns their byte count (0: none taken) and
  // sets *count to the messages taken.
  size_t TakeInto(Mailbox* mailbox, uint8_t* out, size_t capacity, size_t* count) {
    std::lock_guard<std::mutex> lock(mutex_);
    const size_t size = mailbox->entries.size();
    if (size == 0 || size > capacity) return 0;
    std::memcpy(out, mailbox->entries.data(), size);
    mailbox->entries.clear();  // its capacity stays for the next entries
    *count = mailbox->queued;
    mailbox->queued = 0;
    return size;
  }

  // The owner's thread: entries taken and not delivered go back first in line.
  void PutBack(Mailbox* mailbox, const uint8_t* bytes, size_t size, size_t count) {
    std::lock_guard<std::mutex> lock(mutex_);
    mailbox->entries.insert(mailbox->entries.begin(), bytes, bytes + size);
    mailbox->queued += count;
  }

 private:
  struct Target {
    AsyncWatcher* watcher;
    Mailbox* mailbox;   // the watcher's, or null
    AsyncRoute* route;  // its loop's; outlives every entry of the loop
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

  // libev's start clears `sent`: a send made while stopped is lost, but not
  // its message, which a fresh wake-up delivers.
  void StartIn(struct ev_loop* loop) {
    if (route_ != nullptr) {
      std::lock_guard<std::mutex> lock(SendTable::Get().mutex());
      route_->Unflag(this);
    }
    ev_async_start(loop, &ev_);
    if (mailbox_ != nullptr && SendTable::Get().Queued(mailbox_.get()) > 0) Notify();
  }
  static void StopIn(struct ev_loop* loop, ev_async* w) { ev_async_stop(loop, w); }

  // asyncNotify(id): a send from the JS thread, routed as another thread's
  // (no loop lock: the route takes the table mutex only).
  Napi::Value Send(const Napi::CallbackInfo& info) {
    if (Usable()) Notify();
    return info.Env().Undefined();
  }

  // A send is waiting for this watcher's callback: libev's flag, or (attached)
  // the loop thread already took it and the JS thread has yet to deliver it.
  // A stopped watcher has none waiting: its sends are lost.
  Napi::Value Sent(const Napi::CallbackInfo& info) {
    bool sent = false;
    if (Usable()) {
      LoopCore::Lock lock(core());
      sent = ev_is_active(&ev_) && (ev_async_pending(&ev_) || Pending() || DirectSent());
    }
    return Napi::Boolean::New(info.Env(), sent);
  }

  // The id other threads send by (0n for a watcher that left its loop).
  Napi::Value SenderId(const Napi::CallbackInfo& info) {
    if (senderId_ == 0 && Usable()) senderId_ = SendTable::Get().Publish(this, mailbox_.get(), Route());
    return Napi::BigInt::New(info.Env(), senderId_);
  }

  // asyncUseMailbox(id, limit, inbound?, taken?): before the sender is
  // published (the constructor of an AsyncMailbox); false when too late.
  // With `inbound` (a Uint8Array) and `taken` (a Float64Array of 2), an
  // attached delivery writes the waiting messages into `inbound` before the
  // callback, as asyncTakeMessages would, and `taken` says so: [this id, byte
  // count]. JS takes them from there (and sets taken[0] to 0) instead of
  // calling asyncTakeMessages: a call into native code less per wake-up, the
  // first thing a lone message's callback does. What JS leaves there goes
  // back to the mailbox after the delivery.
  Napi::Value UseMailbox(const Napi::CallbackInfo& info) {
    const double limit = info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : 0;
    const bool ok = senderId_ == 0 && mailbox_ == nullptr && limit >= 1 && limit <= 0xffffffff;
    if (ok) {
      mailbox_ = std::make_unique<Mailbox>(static_cast<size_t>(limit));
      if (info.Length() >= 4) ShareInbound(info.Env(), info[2], info[3]);
    }
    return Napi::Boolean::New(info.Env(), ok);
  }

  void BeforeJsDelivery() override {
    if (inbound_ == nullptr) return;
    size_t count = 0;
    const size_t size = SendTable::Get().TakeInto(mailbox_.get(), inbound_->bytes, inbound_->capacity, &count);
    if (size == 0) return;
    inbound_->takenBytes = size;
    inbound_->takenCount = count;
    inbound_->taken[0] = id();
    inbound_->taken[1] = static_cast<double>(size);
  }

  void AfterJsDelivery() override {
    if (inbound_ == nullptr || inbound_->taken[0] != id()) return;
    inbound_->taken[0] = 0;
    if (mailbox_ != nullptr) {
      SendTable::Get().PutBack(mailbox_.get(), inbound_->bytes, inbound_->takenBytes, inbound_->takenCount);
    }
  }

  // asyncTakeMessages(id, into?): every queued entry, each as its kind and
  // byte length (32-bit little-endian) and its bytes; undefined when there is
  // none. Written into `into` (a Uint8Array) when they fit, and their byte
  // count returned; else in a new Buffer.
  Napi::Value TakeMessages(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (mailbox_ == nullptr) return env.Undefined();
    size_t capacity = 0;
    napi_value arg = info.Length() >= 2 ? static_cast<napi_value>(info[1]) : nullptr;
    if (auto* into = static_cast<uint8_t*>(TypedArrayData(env, arg, napi_uint8_array, 1, &capacity))) {
      size_t count = 0;
      const size_t size = SendTable::Get().TakeInto(mailbox_.get(), into, capacity, &count);
      if (size > 0) return Napi::Number::New(env, static_cast<double>(size));
    }
    // None waiting, or more than `into` holds.
    EntryBytes& taken = takenBytes_;
    SendTable::Get().Take(mailbox_.get(), &taken);
    if (taken.empty()) return env.Undefined();
    Napi::Buffer<uint8_t> result = Napi::Buffer<uint8_t>::Copy(env, taken.data(), taken.size());
    taken.clear();
    // A burst's capacity is not kept for the lone messages after it.
    if (taken.capacity() > kKeptTakeCapacity) EntryBytes().swap(taken);
    return result;
  }

 protected:
  void OnLeavingLoop() override { Withdraw(); }

 private:
  explicit AsyncWatcher(LoopCore* core) : KindWatcher(core, true) {
    // ev_async_set is a no-op and ev_async_pending reads `sent`: give it a value.
    ev_.sent = 0;
  }

  // JS thread, the watcher in its loop: its loop's route, made on first use.
  AsyncRoute* Route() {
    if (route_ == nullptr) route_ = AsyncRoute::Of(core());
    return route_;
  }

  // JS thread: a send, as another thread's would go (so that they coalesce).
  void Notify() {
    AsyncRoute* route = Route();
    Wake wake;
    {
      std::lock_guard<std::mutex> lock(SendTable::Get().mutex());
      wake = route->Send(this);
    }
    wake.Run();
  }

  // UseMailbox's `inbound` and `taken`, kept alive by references.
  struct SharedInbound {
    napi_ref bytesRef = nullptr;
    napi_ref takenRef = nullptr;
    uint8_t* bytes = nullptr;
    size_t capacity = 0;
    double* taken = nullptr;
    size_t takenBytes = 0;  // what the delivery under way took
    size_t takenCount = 0;
  };

  void ShareInbound(napi_env env, napi_value bytes, napi_value taken) {
    size_t length = 0, takenLength = 0;
    void* bytesData = TypedArrayData(env, bytes, napi_uint8_array, 1, &length);
    void* takenData = TypedArrayData(env, taken, napi_float64_array, 2, &takenLength);
    if (bytesData == nullptr || takenData == nullptr) return;
    auto shared = std::make_unique<SharedInbound>();
    if (napi_create_reference(env, bytes, 1, &shared->bytesRef) != napi_ok ||
        napi_create_reference(env, taken, 1, &shared->takenRef) != napi_ok) {
      if (shared->bytesRef != nullptr) napi_delete_reference(env, shared->bytesRef);
      return;
    }
    shared->bytes = static_cast<uint8_t*>(bytesData);
    shared->capacity = length;
    shared->taken = static_cast<double*>(takenData);
    inbound_ = std::move(shared);
  }

  // Leaving the loop (the env is alive then): no delivery comes any more.
  void UnshareInbound() {
    if (inbound_ == nullptr) return;
    napi_env env = WatcherBase::env()->env();
    napi_delete_reference(env, inbound_->bytesRef);
    napi_delete_reference(env, inbound_->takenRef);
    inbound_.reset();
  }

  void Withdraw() {
    UnshareInbound();
    if (senderId_ != 0) {
      SendTable::Get().Withdraw(senderId_);
      senderId_ = 0;
      libevSendsInFlight_.Drain();
    }
    if (route_ == nullptr) return;
    std::lock_guard<std::mutex> lock(SendTable::Get().mutex());
    route_->Unflag(this);
  }

  bool DirectSent() {
    std::lock_guard<std::mutex> lock(SendTable::Get().mutex());
    return directSent_;
  }

  // JS thread, mutex_ held: a send the JS thread was woken for, recorded as
  // the trampoline records libev's (one to a stopped watcher is lost, as in libev).
  void RecordDirectSend() {
    if (Usable() && ev_is_active(&ev_)) Trampoline(core()->loop(), reinterpret_cast<ev_watcher*>(&ev_), EV_ASYNC);
  }

  // The libev way, for a loop no longer attached.
  void SendThroughLibev() {
    if (Usable() && ev_is_active(&ev_)) ev_async_send(core()->loop(), &ev_);
  }

  friend class AsyncRoute;
  // AsyncRoute's, under the table mutex: sent to straight, not taken yet.
  bool directSent_ = false;
  InFlight libevSendsInFlight_;  // sends waking ev_ (Withdraw drains them)
  uint64_t senderId_ = 0;
  AsyncRoute* route_ = nullptr;  // its loop's, from the first send or sender()
  // Outlives the table entry: withdrawn first (OnLeavingLoop), freed last.
  std::unique_ptr<Mailbox> mailbox_;
  // JS thread: what TakeMessages took, empty between calls (its capacity is
  // handed to the mailbox by the next take).
  EntryBytes takenBytes_;
  std::unique_ptr<SharedInbound> inbound_;  // see UseMailbox
  static constexpr size_t kKeptTakeCapacity = 256 * 1024;
};

void AsyncRoute::OnAttach(uv_async_t* jsWake) noexcept {
  std::lock_guard<std::mutex> lock(SendTable::Get().mutex());
  jsWake_ = jsWake;
}

const std::vector<AsyncWatcher*>& AsyncRoute::TakeFlagged() {
  taken_.clear();
  std::lock_guard<std::mutex> lock(SendTable::Get().mutex());
  taken_.swap(flagged_);
  for (AsyncWatcher* w : taken_) w->directSent_ = false;
  return taken_;
}

void AsyncRoute::OnDetach(struct ev_loop*) noexcept {
  {
    std::lock_guard<std::mutex> lock(SendTable::Get().mutex());
    jsWake_ = nullptr;
  }
  // The handle is closed after this returns.
  jsWakesInFlight_.Drain();
  for (AsyncWatcher* w : TakeFlagged()) w->SendThroughLibev();
}

void AsyncRoute::RecordDirect() noexcept {
  for (AsyncWatcher* w : TakeFlagged()) w->RecordDirectSend();
}

Wake AsyncRoute::Send(AsyncWatcher* w) {
  if (jsWake_ == nullptr) return Wake::ViaLibev(loop_, &w->ev_, &w->libevSendsInFlight_);
  if (!w->directSent_) {
    w->directSent_ = true;
    flagged_.push_back(w);
  }
  return Wake::ViaJsThread(jsWake_, &jsWakesInFlight_);
}

void AsyncRoute::Unflag(AsyncWatcher* w) {
  if (!w->directSent_) return;
  w->directSent_ = false;
  for (size_t i = 0; i < flagged_.size(); i++) {
    if (flagged_[i] == w) {
      flagged_.erase(flagged_.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
}

// asyncSend(id: bigint): boolean, from any thread: a plain wake-up. Raw
// N-API: it is the hot path of every cross-thread wake-up.
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

// asyncPost(id: bigint, message?: Uint8Array, batch?: number, length?: number):
// AsyncPostResult, from any thread. Without a message, a send without a value
// (a plain wake-up for a watcher without a mailbox); with `batch`, the message
// is an array of that many messages. `length`: only the first bytes of
// `message` are the message (the sender's scratch buffer is passed as it is:
// a view made per send costs more than the rest of a lone send).
napi_value AsyncPost(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4] = {nullptr, nullptr, nullptr, nullptr};
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  int32_t result = kGone;
  uint64_t id = 0;
  bool lossless = false;
  if (argc >= 1 && napi_get_value_bigint_uint64(env, args[0], &id, &lossless) == napi_ok && lossless && id != 0) {
    Entry entry;
    size_t length = 0;
    if (void* data = TypedArrayData(env, args[1], napi_uint8_array, 1, &length)) {
      double prefix = 0;
      if (argc >= 4 && napi_get_value_double(env, args[3], &prefix) == napi_ok && prefix >= 0 &&
          prefix < static_cast<double>(length)) {
        length = static_cast<size_t>(prefix);
      }
      if (length >= 0xffffffffu) length = 0;
      entry.data = static_cast<const uint8_t*>(data);
      entry.length = static_cast<uint32_t>(length);
      entry.kind = length == 0 ? kNoValue : kOneValue;
    }
    double batch = 0;
    if (argc >= 3 && entry.kind == kOneValue && napi_get_value_double(env, args[2], &batch) == napi_ok && batch >= 1 &&
        batch <= 0xffffffffu && batch == static_cast<uint32_t>(batch)) {
      entry.kind = kBatch;
      entry.count = static_cast<uint32_t>(batch);
    }
    result = SendTable::Get().Post(id, entry);
  }
  napi_value out = nullptr;
  napi_create_int32(env, result, &out);
  return out;
}

}  // namespace

void InitAsync(Napi::Env env, Napi::Object exports) {
  RegisterKind(kKindAsync, &AsyncWatcher::Make);
  ExportKindFunction<AsyncWatcher, &AsyncWatcher::Send>(env, exports, "asyncNotify");
  ExportKindFunction<AsyncWatcher, &AsyncWatcher::Sent>(env, exports, "asyncSent");
  ExportKindFunction<AsyncWatcher, &AsyncWatcher::SenderId>(env, exports, "asyncSenderId");
  ExportKindFunction<AsyncWatcher, &AsyncWatcher::UseMailbox>(env, exports, "asyncUseMailbox");
  ExportKindFunction<AsyncWatcher, &AsyncWatcher::TakeMessages>(env, exports, "asyncTakeMessages");
  napi_value fn = nullptr;
  if (napi_create_function(env, "asyncSend", NAPI_AUTO_LENGTH, AsyncSend, nullptr, &fn) == napi_ok) {
    exports.Set("asyncSend", Napi::Value(env, fn));
  }
  if (napi_create_function(env, "asyncPost", NAPI_AUTO_LENGTH, AsyncPost, nullptr, &fn) == napi_ok) {
    exports.Set("asyncPost", Napi::Value(env, fn));
  }
}

}  // namespace evkit
