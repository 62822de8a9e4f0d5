// Timer (ev_timer: relative, monotonic) and Periodic (ev_periodic: wall-clock
// schedules). Both start from the current time: outside a callback libev's
// cached time is refreshed first, so a timer started after an idle spell does
// not fire early. Both are transient: `after`/`repeat` (`offset`/`interval`)
// live in JS while the watcher is stopped and come with every start.
#include "watchers/timer.h"

#include "watcher_kind.h"

namespace evkit {
namespace {

// The JS layer validates; this keeps libev's asserts (negative repeat) and
// nonsense (NaN) out even when the raw binding is misused.
double Sanitize(double value, double min) {
  return value == value && value >= min && value < 1e300 ? value : min;
}

class TimerWatcher final : public KindWatcher<TimerWatcher, ev_timer> {
 public:
  static constexpr Kind kKind = kKindTimer;

  static WatcherBase* Make(LoopCore* core, double after, double repeat, int*) {
    return new TimerWatcher(core, Sanitize(after, -1e300), Sanitize(repeat, 0.));
  }

  void StartIn(struct ev_loop* loop) {
    RefreshNowOutsideCallbacks();
    // Re-applied on every start, so a timer that fired counts `after` afresh.
    ev_timer_set(&ev_, after_, ev_.repeat);
    ev_timer_start(loop, &ev_);
  }
  static void StopIn(struct ev_loop* loop, ev_timer* w) { ev_timer_stop(loop, w); }

  Napi::Value Again(const Napi::CallbackInfo& info) {
    Rearm([this](struct ev_loop* loop) { ev_timer_again(loop, &ev_); });
    return info.Env().Undefined();
  }

  Napi::Value Remaining(const Napi::CallbackInfo& info) {
    if (!Usable()) return Napi::Number::New(info.Env(), 0);
    LoopCore::Lock lock(core());
    return Napi::Number::New(info.Env(), ev_timer_remaining(core()->loop(), &ev_));
  }

 private:
  TimerWatcher(LoopCore* core, double after, double repeat) : KindWatcher(core, false), after_(after) {
    ev_timer_set(&ev_, after_, repeat);
  }

  // after: for the next start (JS allows it only while stopped); repeat:
  // any time, used from the next again() or expiry.
  void ApplyParams(double after, double repeat) override {
    after_ = Sanitize(after, -1e300);
    ev_.repeat = Sanitize(repeat, 0.);
  }

  double after_;
};

class PeriodicWatcher final : public KindWatcher<PeriodicWatcher, ev_periodic> {
 public:
  static constexpr Kind kKind = kKindPeriodic;

  static WatcherBase* Make(LoopCore* core, double offset, double interval, int*) {
    return new PeriodicWatcher(core, offset, interval);
  }

  void StartIn(struct ev_loop* loop) {
    RefreshNowOutsideCallbacks();
    ev_periodic_start(loop, &ev_);
  }
  static void StopIn(struct ev_loop* loop, ev_periodic* w) { ev_periodic_stop(loop, w); }

  // The schedule; while active it applies from the next again() (libev reads
  // the fields when it reschedules).
  void ApplyParams(double offset, double interval) override {
    ev_periodic_set(&ev_, Sanitize(offset, -1e300), Sanitize(interval, 0.), nullptr);
  }

  Napi::Value Again(const Napi::CallbackInfo& info) {
    Rearm([this](struct ev_loop* loop) { ev_periodic_again(loop, &ev_); });
    return info.Env().Undefined();
  }

  Napi::Value At(const Napi::CallbackInfo& info) {
    if (Usable()) {
      LoopCore::Lock lock(core());
      return Napi::Number::New(info.Env(), ev_periodic_at(&ev_));
    }
    return Napi::Number::New(info.Env(), ev_periodic_at(&ev_));
  }

 private:
  PeriodicWatcher(LoopCore* core, double offset, double interval) : KindWatcher(core, false) {
    ev_periodic_set(&ev_, Sanitize(offset, -1e300), Sanitize(interval, 0.), nullptr);
  }
};

}  // namespace

void InitTimer(Napi::Env env, Napi::Object exports) {
  RegisterKind(kKindTimer, &TimerWatcher::Make);
  RegisterKind(kKindPeriodic, &PeriodicWatcher::Make);
  ExportKindFunction<TimerWatcher, &TimerWatcher::Again>(env, exports, "timerAgain");
  ExportKindFunction<TimerWatcher, &TimerWatcher::Remaining>(env, exports, "timerRemaining");
  ExportKindFunction<PeriodicWatcher, &PeriodicWatcher::Again>(env, exports, "periodicAgain");
  ExportKindFunction<PeriodicWatcher, &PeriodicWatcher::At>(env, exports, "periodicAt");
}

}  // namespace evkit
