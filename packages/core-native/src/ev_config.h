// The one place evkit includes libev. Everything evkit assumes about the
// libev it is built against (by default the static 4.33 of
// scripts/libev-source.mjs; with --system the system's) is stated here, so a
// mismatch fails the build.
#pragma once

#include <ev.h>

static_assert(EV_VERSION_MAJOR == 4, "evkit is written against libev 4.x");
static_assert(EV_MINPRI == -2 && EV_MAXPRI == 2,
              "evkit's public priority range is libev's default -2..2");

namespace evkit {

// evkit's watchers keep their loop in libev's default EV_COMMON `void *data`.
template <class EvT>
inline void SetWatcherData(EvT* w, void* data) { w->data = data; }

}  // namespace evkit
