// Probes of evkit's C API (include/evkit.h) for its tests: every entry given
// what libev would assert on, the wrong thread or a dead loop, with the status
// each returned. Only through the table: this addon's own libev copy never
// touches an evkit loop here.
#include "api_probe.h"

#include <evkit.h>

#include <cerrno>
#include <cmath>
#include <thread>

#include <unistd.h>

namespace {

void Noop(struct ev_loop*, ev_watcher*, int) noexcept {}

template <class W>
W Ready() {
  W w;
  ev_init(&w, reinterpret_cast<void (*)(struct ev_loop*, W*, int)>(Noop));
  return w;
}

ev_tstamp Periodic(ev_periodic*, ev_tstamp now) noexcept { return now + 1; }

// Watchers left active on a loop by apiLeave, for apiAfterDestroy.
struct Left {
  ev_timer timer;
  ev_io io;
  ev_idle idle;
  ev_async async;
  int fds[2];
};
Left* left = nullptr;

const evkit_api* Api(const Napi::CallbackInfo& info) {
  return evkit_api_get(info.Env(), info[0]);
}

}  // namespace

// apiProbe(nativeApi, loop.ptr, otherLoop.ptr): { case: status }
Napi::Value ApiProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const evkit_api* api = Api(info);
  if (api == nullptr) return env.Undefined();
  struct ev_loop* loop = api->loop_from_value(env, info[1]);
  struct ev_loop* other = loop != nullptr ? api->loop_from_value(env, info[2]) : nullptr;
  if (other == nullptr) return env.Undefined();
  Napi::Object out = Napi::Object::New(env);
  auto note = [&](const char* name, double status) { out.Set(name, status); };

  int fds[2];
  if (pipe(fds) != 0) return env.Undefined();
  auto io = Ready<ev_io>();
  ev_io_set(&io, fds[0], EV_READ);
  close(fds[1]);
  int closed = dup(fds[0]);
  close(closed);
  ev_io_set(&io, closed, EV_READ);
  note("ioClosedFd", api->io_start(loop, &io));
  ev_io_set(&io, -1, EV_READ);
  note("ioNegativeFd", api->io_start(loop, &io));
  ev_io_set(&io, fds[0], EV_TIMER);  // not an io event
  note("ioBadEvents", api->io_start(loop, &io));
  ev_io_set(&io, fds[0], EV_READ);
  note("ioStart", api->io_start(loop, &io));
  note("ioStop", api->io_stop(loop, &io));
  close(fds[0]);

  auto timer = Ready<ev_timer>();
  ev_timer_set(&timer, 1., -1.);
  note("timerNegativeRepeat", api->timer_start(loop, &timer));
  ev_timer_set(&timer, NAN, 0.);
  note("timerNaN", api->timer_start(loop, &timer));
  timer.repeat = -1.;
  note("timerAgainNegative", api->timer_again(loop, &timer));
  ev_timer_set(&timer, 100., 0.);
  timer.cb = nullptr;
  note("timerNoCallback", api->timer_start(loop, &timer));
  timer = Ready<ev_timer>();
  ev_timer_set(&timer, 100., 0.);
  note("timerStart", api->timer_start(loop, &timer));
  note("timerRemaining", api->timer_remaining(loop, &timer));
  note("timerOnOtherLoop", api->timer_start(other, &timer));
  note("timerStopOnOtherLoop", api->timer_stop(other, &timer));
  note("unrefOne", api->unref(loop));
  note("unrefTwo", api->unref(loop));  // only one active watcher
  note("ref", api->ref(loop));
  note("refAgain", api->ref(loop));
  note("timerStop", api->timer_stop(loop, &timer));
  note("timerStopAgain", api->timer_stop(loop, &timer));
  note("timerRemainingStopped", api->timer_remaining(loop, &timer));

  auto periodic = Ready<ev_periodic>();
  ev_periodic_set(&periodic, 0., 1., Periodic);
  note("periodicReschedule", api->periodic_start(loop, &periodic));
  ev_periodic_set(&periodic, 0., -1., nullptr);
  note("periodicNegativeInterval", api->periodic_start(loop, &periodic));

  auto idle = Ready<ev_idle>();
  note("feedUntracked", api->feed_event(loop, &idle, EV_IDLE));
  note("clearPendingUntracked", api->clear_pending(loop, &idle));
  note("stopUntracked", api->idle_stop(loop, &idle));
  note("idleStart", api->idle_start(loop, &idle));
  // Held, so that an attached loop's thread cannot invoke the fed event first.
  note("lock", api->lock(loop));
  note("feed", api->feed_event(loop, &idle, EV_CUSTOM));
  note("clearPending", api->clear_pending(loop, &idle));
  note("unlock", api->unlock(loop));
  note("idleStop", api->idle_stop(loop, &idle));

  auto cleanup = Ready<ev_cleanup>();
  note("cleanupStart", api->cleanup_start(loop, &cleanup));
  note("unrefCleanupOnly", api->unref(loop));  // libev's cleanup watchers hold no reference
  note("cleanupStop", api->cleanup_stop(loop, &cleanup));

  note("breakBadHow", api->break_loop(loop, 7));
  note("releaseWithoutHold", api->release(loop));
  note("unlockWithoutLock", api->unlock(loop));
  note("postNoCallback", api->post(loop, env, nullptr, nullptr));
  note("nullLoop", api->now_update(nullptr));
  int notALoop = 0;
  note("unknownLoop", api->now_update(reinterpret_cast<struct ev_loop*>(&notALoop)));
  note("nowIsFinite", std::isfinite(api->now(loop)) ? 1 : 0);

  auto async = Ready<ev_async>();
  note("asyncStart", api->async_start(loop, &async));
  int fromThread = 0, sendFromThread = 0;
  std::thread([&] {
    fromThread = api->now_update(loop);
    sendFromThread = api->async_send(loop, &async);
  }).join();
  note("otherThread", fromThread);
  note("asyncSendOtherThread", sendFromThread);
  note("asyncStop", api->async_stop(loop, &async));
  return out;
}

// apiLeave(nativeApi, loop.ptr): starts a timer, an io, an idle and an async
// watcher and leaves them active.
Napi::Value ApiLeave(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const evkit_api* api = Api(info);
  if (api == nullptr) return env.Undefined();
  struct ev_loop* loop = api->loop_from_value(env, info[1]);
  if (loop == nullptr || left != nullptr) return env.Undefined();
  left = new Left{Ready<ev_timer>(), Ready<ev_io>(), Ready<ev_idle>(), Ready<ev_async>(), {-1, -1}};
  if (pipe(left->fds) != 0) return env.Undefined();
  ev_timer_set(&left->timer, 100., 0.);
  ev_io_set(&left->io, left->fds[0], EV_READ);
  int status = api->timer_start(loop, &left->timer) | api->io_start(loop, &left->io) |
               api->idle_start(loop, &left->idle) | api->async_start(loop, &left->async);
  return Napi::Number::New(env, status);
}

// apiAfterDestroy(nativeApi, ptr): what the table does with apiLeave's
// watchers once their loop was destroyed; frees them.
Napi::Value ApiAfterDestroy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const evkit_api* api = Api(info);
  if (api == nullptr || left == nullptr) return env.Undefined();
  bool lossless = false;
  auto* loop = reinterpret_cast<struct ev_loop*>(
      static_cast<uintptr_t>(info[1].As<Napi::BigInt>().Uint64Value(&lossless)));
  Napi::Object out = Napi::Object::New(env);
  out.Set("activeAfterDestroy", (ev_is_active(&left->timer) ? 1 : 0) + (ev_is_active(&left->io) ? 1 : 0) +
                                    (ev_is_active(&left->idle) ? 1 : 0) + (ev_is_active(&left->async) ? 1 : 0));
  out.Set("asyncSend", api->async_send(loop, &left->async));
  out.Set("timerStart", api->timer_start(loop, &left->timer));
  out.Set("stops", api->timer_stop(loop, &left->timer) | api->io_stop(loop, &left->io) |
                       api->idle_stop(loop, &left->idle) | api->async_stop(loop, &left->async));
  out.Set("hold", api->hold(loop));
  close(left->fds[0]);
  close(left->fds[1]);
  delete left;
  left = nullptr;
  return out;
}
