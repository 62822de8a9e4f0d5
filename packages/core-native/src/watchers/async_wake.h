// The wake-up of an Async send, made after the send table's mutex is
// released, and the count of such sends in flight (see watchers/async.cc).
#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <utility>

#include "ev_config.h"

namespace evkit {

// Sends in flight: counted in under the send table's mutex, out once their
// wake-up was made; Drain() runs after a withdrawal (see watchers/async.cc).
class InFlight {
 public:
  void Enter() { count_.fetch_add(1, std::memory_order_relaxed); }
  void Leave() { count_.fetch_sub(1, std::memory_order_release); }
  void Drain() const {
    for (int spins = 0; count_.load(std::memory_order_acquire) != 0; spins++) {
      if (spins >= kSpinsBeforeYield) std::this_thread::yield();
    }
  }

 private:
  static constexpr int kSpinsBeforeYield = 1000;
  std::atomic<uint32_t> count_{0};
};

// The wake-up a send recorded under the table mutex, made after it.
class Wake {
 public:
  static Wake ViaJsThread(uv_async_t* handle, InFlight* inFlight) { return Wake(handle, nullptr, nullptr, inFlight); }
  static Wake ViaLibev(struct ev_loop* loop, ev_async* w, InFlight* inFlight) {
    return Wake(nullptr, loop, w, inFlight);
  }
  Wake() = default;
  ~Wake() { Run(); }  // a wake-up recorded is always made, and counted out
  Wake(const Wake&) = delete;
  Wake& operator=(const Wake&) = delete;
  Wake(Wake&& other) noexcept { *this = std::move(other); }
  Wake& operator=(Wake&& other) noexcept {
    Run();
    jsWake_ = other.jsWake_;
    loop_ = other.loop_;
    ev_ = other.ev_;
    inFlight_ = std::exchange(other.inFlight_, nullptr);
    return *this;
  }

  // Once the table mutex is released; idempotent.
  void Run() {
    if (inFlight_ == nullptr) return;
    if (jsWake_ != nullptr) {
      uv_async_send(jsWake_);
    } else {
      ev_async_send(loop_, ev_);
    }
    std::exchange(inFlight_, nullptr)->Leave();  // the last touch of the watcher or the route
  }

 private:
  Wake(uv_async_t* jsWake, struct ev_loop* loop, ev_async* ev, InFlight* inFlight)
      : jsWake_(jsWake), loop_(loop), ev_(ev), inFlight_(inFlight) {
    inFlight_->Enter();
  }
  uv_async_t* jsWake_ = nullptr;
  struct ev_loop* loop_ = nullptr;
  ev_async* ev_ = nullptr;
  InFlight* inFlight_ = nullptr;
};

}  // namespace evkit
