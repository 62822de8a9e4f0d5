// evkit's own libev watchers (the runCallback drain, wake-ups, io's guard,
// stat's inotify reader, ...) never keep a loop alive: each is started and
// then unref'd, and re-ref'd before it is stopped, as libev's manual
// prescribes (Perl EV's START/STOP for a watcher with keepalive off). Both
// are no-ops when there is nothing to do.
#pragma once

#include "ev_config.h"

namespace evkit {

template <class W>
void StartInternal(struct ev_loop* loop, W* w, void (*start)(struct ev_loop*, W*)) {
  if (ev_is_active(w)) return;
  start(loop, w);
  ev_unref(loop);
}

template <class W>
void StopInternal(struct ev_loop* loop, W* w, void (*stop)(struct ev_loop*, W*)) {
  if (!ev_is_active(w)) return;
  ev_ref(loop);
  stop(loop, w);
}

}  // namespace evkit
