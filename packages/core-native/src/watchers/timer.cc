// Timer (ev_timer: relative, monotonic) and Periodic (ev_periodic: wall-clock
// schedules). Both start from the current time: outside a callback libev's
// cached time is refreshed first, so a timer started after an idle spell does
// not fire early.
#include "watchers/timer.h"

#include "watcher_wrap.h"

namespace evkit {
namespace {

double NumberArg(const Napi::CallbackInfo& info, size_t i) {
  return info[i].IsNumber() ? info[i].As<Napi::Number>().DoubleValue() : 0.;
}

// The JS layer validates; this keeps libev's asserts (negative repeat) and
// nonsense (NaN) out even when the raw binding is misused.
double Sanitize(double value, double min) {
  return value == value && value >= min && value < 1e300 ? value : min;
}

// new binding.Timer(loop, owner, after, repeat)
class TimerWatcher final : public WatcherWrap<TimerWatcher, ev_timer> {
 public:
  explicit TimerWatcher(const Napi::CallbackInfo& info) : WatcherWrap(info) {
    after_ = Sanitize(NumberArg(info, 2), -1e300);
    ev_timer_set(&ev_, after_, Sanitize(NumberArg(info, 3), 0.));
  }

  static Napi::Function Init(Napi::Env env) {
    return DefineKind(env, "Timer",
                      {
                          InstanceMethod<&TimerWatcher::Set>("set"),
                          InstanceMethod<&TimerWatcher::Again>("again"),
                          InstanceMethod<&TimerWatcher::Remaining>("remaining"),
                          InstanceMethod<&TimerWatcher::SetRepeat>("setRepeat"),
                      });
  }

  void StartIn(struct ev_loop* loop) {
    RefreshNowOutsideCallbacks();
    // Re-applied on every start, so a timer that fired counts `after` afresh.
    ev_timer_set(&ev_, after_, ev_.repeat);
    ev_timer_start(loop, &ev_);
  }
  static void StopIn(struct ev_loop* loop, ev_timer* w) { ev_timer_stop(loop, w); }

 private:
  // set(after, repeat): only while inactive (checked in JS).
  void Set(const Napi::CallbackInfo& info) {
    after_ = Sanitize(NumberArg(info, 0), -1e300);
    ev_.repeat = Sanitize(NumberArg(info, 1), 0.);
  }

  void SetRepeat(const Napi::CallbackInfo& info) {
    if (Usable()) {
      LoopCore::Lock lock(core());
      ev_.repeat = Sanitize(NumberArg(info, 0), 0.);
    } else {
      ev_.repeat = Sanitize(NumberArg(info, 0), 0.);
    }
  }

  void Again(const Napi::CallbackInfo&) {
    Rearm([this](struct ev_loop* loop) { ev_timer_again(loop, &ev_); });
  }

  Napi::Value Remaining(const Napi::CallbackInfo& info) {
    if (!Usable()) return Napi::Number::New(info.Env(), 0);
    LoopCore::Lock lock(core());
    return Napi::Number::New(info.Env(), ev_timer_remaining(core()->loop(), &ev_));
  }

  double after_ = 0;
};

// new binding.Periodic(loop, owner, offset, interval)
class PeriodicWatcher final : public WatcherWrap<PeriodicWatcher, ev_periodic> {
 public:
  explicit PeriodicWatcher(const Napi::CallbackInfo& info) : WatcherWrap(info) {
    ev_periodic_set(&ev_, Sanitize(NumberArg(info, 2), -1e300), Sanitize(NumberArg(info, 3), 0.), nullptr);
  }

  static Napi::Function Init(Napi::Env env) {
    return DefineKind(env, "Periodic",
                      {
                          InstanceMethod<&PeriodicWatcher::Set>("set"),
                          InstanceMethod<&PeriodicWatcher::Again>("again"),
                          InstanceMethod<&PeriodicWatcher::At>("at"),
                      });
  }

  void StartIn(struct ev_loop* loop) {
    RefreshNowOutsideCallbacks();
    ev_periodic_start(loop, &ev_);
  }
  static void StopIn(struct ev_loop* loop, ev_periodic* w) { ev_periodic_stop(loop, w); }

 private:
  void Set(const Napi::CallbackInfo& info) {
    ev_periodic_set(&ev_, Sanitize(NumberArg(info, 0), -1e300), Sanitize(NumberArg(info, 1), 0.), nullptr);
  }

  void Again(const Napi::CallbackInfo&) {
    Rearm([this](struct ev_loop* loop) { ev_periodic_again(loop, &ev_); });
  }

  Napi::Value At(const Napi::CallbackInfo& info) {
    if (Usable()) {
      LoopCore::Lock lock(core());
      return Napi::Number::New(info.Env(), ev_periodic_at(&ev_));
    }
    return Napi::Number::New(info.Env(), ev_periodic_at(&ev_));
  }
};

}  // namespace

void InitTimer(Napi::Env env, Napi::Object exports) {
  exports.Set("Timer", TimerWatcher::Init(env));
  exports.Set("Periodic", PeriodicWatcher::Init(env));
}

}  // namespace evkit
