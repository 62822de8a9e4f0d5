// libev's names (ev_io_start, ev_timer_set, ...) calling into evkit's copy of
// libev through its C API, so the adapter reads as plain libev code.
#pragma once

#define EVKIT_LIBEV_MACROS
#include <evkit.h>
