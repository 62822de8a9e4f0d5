/*
 * evkit.h: the C API for Node addons that drive libev watchers on evkit loops.
 *
 * evkit carries its own libev, linked in with its symbols hidden: an addon
 * cannot link against it, and a system libev is another copy whose functions
 * must never touch an evkit loop. Instead evkit hands out a table of entry
 * points into its own copy (struct evkit_api), obtained at run time from a JS
 * value, after a version and layout check made here, in the addon:
 *
 *   JS:  import { nativeApi } from '@evkit/core-native';
 *        myAddon.init(nativeApi);             // once per process or worker
 *        myAddon.watch(loop.ptr, ...);        // loops are named by their ptr
 *   C:   const struct evkit_api *api = evkit_api_get(env, value);  // NULL: JS error thrown
 *        struct ev_loop *loop = api->loop_from_value(env, ptr);    // NULL: JS error thrown
 *
 * Build with `<!(node -p "require('@evkit/core-native/include').dir")` in the
 * include_dirs of binding.gyp: it holds this file and the ev.h of the libev
 * evkit was built with. Define EVKIT_LIBEV_MACROS before including it to have
 * libev's own names (ev_io_start, ev_now, ...) call through the table held in
 * `evkit_api_current` (which the addon then defines once), so that code
 * written for libev, such as a C library's libev adapter, compiles unchanged.
 *
 * Rules. Every entry returns 0 or a negative errno (-EINVAL, -EBADF, ...)
 * unless it returns a value; none aborts, whatever it is given.
 *
 * 1. Threads. A loop has a JS thread (the one that made it) and, while it is
 *    attached, a loop thread that polls it. Watcher callbacks run on whichever
 *    thread runs the loop: the JS thread in `loop.run()` (and often when
 *    attached), the loop thread otherwise. A callback must not call Node-API;
 *    it hands work to JS with `post`, which calls the given function on the
 *    JS thread as soon as the current batch of callbacks ends, the way a
 *    callback of evkit's own watchers runs (attached: promise reactions and
 *    nextTicks settle after it, as with napi_make_callback; an exception left
 *    pending goes to 'uncaughtException'; blocking: it is thrown by run()).
 *    Every entry may be called from those two threads only, except
 *    `async_send`, which any thread may call (-EPERM otherwise). detach()
 *    leaves your watchers active and your posts queued: whatever runs the
 *    loop next (run(), or attach() again) runs them, on its thread.
 * 2. Locking. Each entry takes the loop's lock itself when it needs to (an
 *    attached loop, called from the JS thread outside a callback). To keep
 *    your own state consistent with callbacks running on the loop thread,
 *    wrap a whole sequence in lock()/unlock() (JS thread only; nestable; do
 *    not call into JS or wait for the loop while holding it).
 * 3. Keep-alive. An active watcher keeps a blocking run() going, as in libev.
 *    An attached loop keeps Node alive only for what evkit counts: `hold`
 *    while your work is in flight and `release` after (JS thread only), like
 *    a referenced libuv handle. `unref` (libev's ev_unref) is allowed only for
 *    as many active watchers as you started; `ref` gives one back.
 * 4. Watcher memory. Start and stop watchers only through this table. Before
 *    you free a watcher, stop it through the table, even when libev already
 *    stopped it (a one-shot timer): evkit forgets a watcher only then.
 *    Stopping an inactive watcher is allowed, cheap, and valid even after its
 *    loop was destroyed.
 * 5. Fds. Stop every io watcher on an fd before you close it.
 * 6. Destroy. When a loop is destroyed (loop.destroy(), or its thread or the
 *    process ending), evkit stops every watcher you left active on it, then
 *    runs your cleanup watchers (ev_cleanup) on the JS thread (they may still
 *    `post`), then calls every `post` not run yet: with env == NULL when JS
 *    can no longer run (free the data, call nothing). `attached` < 0 tells a
 *    post that its loop is gone. Every later call naming that loop returns
 *    -ENOENT, and stopping a watcher only marks it stopped.
 * 7. Left out on purpose: ev_signal (evkit chains its own signal handlers so
 *    that Node's keep working; use @evkit/signal), ev_child (default loop
 *    only), ev_embed, a periodic's reschedule_cb (libev aborts when it returns
 *    a time in the past; start returns -EINVAL), and everything that makes,
 *    runs, suspends or destroys a loop: evkit owns its loops.
 */
#ifndef EVKIT_H
#define EVKIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <node_api.h>

#include "ev.h"

#if !EV_MULTIPLICITY
#error "evkit's loops are ev_loop_new loops: libev must be built with EV_MULTIPLICITY (its default)"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* VERSION changes when an entry changes meaning; REVISION when entries are
   appended at the end of the table (an addon works with any later revision). */
#define EVKIT_API_VERSION 1
#define EVKIT_API_REVISION 0

/* The type tag (napi_type_tag) on the external that carries the table. */
#define EVKIT_API_TAG_LOWER 0x65766b69745f6170ULL
#define EVKIT_API_TAG_UPPER 0x6901000100000001ULL

/* Indexes of struct evkit_api.watcher_sizes: what sizeof() gave in evkit. */
enum evkit_watcher_size {
  EVKIT_SIZE_WATCHER, EVKIT_SIZE_IO, EVKIT_SIZE_TIMER, EVKIT_SIZE_PERIODIC,
  EVKIT_SIZE_IDLE, EVKIT_SIZE_PREPARE, EVKIT_SIZE_CHECK, EVKIT_SIZE_FORK,
  EVKIT_SIZE_CLEANUP, EVKIT_SIZE_ASYNC, EVKIT_SIZE_STAT, EVKIT_SIZE_COUNT
};

/* env is NULL when the loop went away before the call could run. */
typedef void (*evkit_post_cb)(napi_env env, void *data);

struct evkit_api {
  uint32_t version;   /* EVKIT_API_VERSION of the evkit that made the table */
  uint32_t revision;
  uint32_t size;      /* sizeof (struct evkit_api) there */
  int32_t libev_major, libev_minor;
  uint16_t watcher_sizes[EVKIT_SIZE_COUNT];

  /* evkit's own */
  /* `ptr` is a Loop's `ptr` (a bigint); NULL, with a JS error thrown, unless
     it names a live, attached or not, evkit loop of this thread. */
  struct ev_loop *(*loop_from_value)(napi_env env, napi_value ptr);
  int (*lock)(struct ev_loop *loop);
  int (*unlock)(struct ev_loop *loop);
  int (*hold)(struct ev_loop *loop);
  int (*release)(struct ev_loop *loop);
  /* `env` is the addon's own (any thread of the loop may post; cb runs on
     the JS thread with that env). */
  int (*post)(struct ev_loop *loop, napi_env env, evkit_post_cb cb, void *data);
  /* 1 when the loop thread runs the loop (attached), 0 when not, or -errno. */
  int (*attached)(struct ev_loop *loop);

  /* libev's, through evkit's copy */
  ev_tstamp (*time)(void);
  ev_tstamp (*now)(struct ev_loop *loop);  /* NAN for a dead loop */
  int (*now_update)(struct ev_loop *loop);
  int (*ref)(struct ev_loop *loop);
  int (*unref)(struct ev_loop *loop);
  int (*break_loop)(struct ev_loop *loop, int how);
  int (*feed_event)(struct ev_loop *loop, void *w, int revents);
  int (*invoke)(struct ev_loop *loop, void *w, int revents);
  int (*clear_pending)(struct ev_loop *loop, void *w); /* the revents cleared, or -errno */
  int (*io_start)(struct ev_loop *loop, ev_io *w);
  int (*io_stop)(struct ev_loop *loop, ev_io *w);
  int (*timer_start)(struct ev_loop *loop, ev_timer *w);
  int (*timer_stop)(struct ev_loop *loop, ev_timer *w);
  int (*timer_again)(struct ev_loop *loop, ev_timer *w);
  ev_tstamp (*timer_remaining)(struct ev_loop *loop, ev_timer *w); /* NAN: not this loop's */
  int (*periodic_start)(struct ev_loop *loop, ev_periodic *w);
  int (*periodic_stop)(struct ev_loop *loop, ev_periodic *w);
  int (*periodic_again)(struct ev_loop *loop, ev_periodic *w);
  int (*idle_start)(struct ev_loop *loop, ev_idle *w);
  int (*idle_stop)(struct ev_loop *loop, ev_idle *w);
  int (*prepare_start)(struct ev_loop *loop, ev_prepare *w);
  int (*prepare_stop)(struct ev_loop *loop, ev_prepare *w);
  int (*check_start)(struct ev_loop *loop, ev_check *w);
  int (*check_stop)(struct ev_loop *loop, ev_check *w);
  int (*fork_start)(struct ev_loop *loop, ev_fork *w);
  int (*fork_stop)(struct ev_loop *loop, ev_fork *w);
  int (*cleanup_start)(struct ev_loop *loop, ev_cleanup *w);
  int (*cleanup_stop)(struct ev_loop *loop, ev_cleanup *w);
  int (*async_start)(struct ev_loop *loop, ev_async *w);
  int (*async_stop)(struct ev_loop *loop, ev_async *w);
  int (*async_send)(struct ev_loop *loop, ev_async *w);   /* any thread */
  int (*stat_start)(struct ev_loop *loop, ev_stat *w);
  int (*stat_stop)(struct ev_loop *loop, ev_stat *w);
  int (*stat_stat)(struct ev_loop *loop, ev_stat *w);
};

static inline napi_value evkit__error(napi_env env, const char *code, const char *message) {
  napi_throw_error(env, code, message);
  return NULL;
}

/* The table carried by `value` (the `nativeApi` export of @evkit/core-native),
   checked against what this file and ev.h say; NULL with a JS error thrown
   (code EVKIT_API_MISMATCH, or ERR_INVALID_ARG_TYPE) when it does not fit.
   `version` and `revision` are what the addon needs: pass EVKIT_API_VERSION
   and EVKIT_API_REVISION. */
static inline const struct evkit_api *evkit_api_check(napi_env env, napi_value value,
                                                      uint32_t version, uint32_t revision) {
  static const napi_type_tag tag = {EVKIT_API_TAG_LOWER, EVKIT_API_TAG_UPPER};
  const uint16_t sizes[EVKIT_SIZE_COUNT] = {
    sizeof (ev_watcher), sizeof (ev_io), sizeof (ev_timer), sizeof (ev_periodic),
    sizeof (ev_idle), sizeof (ev_prepare), sizeof (ev_check), sizeof (ev_fork),
    sizeof (ev_cleanup), sizeof (ev_async), sizeof (ev_stat)};
  napi_valuetype type = napi_undefined;
  bool tagged = false;
  void *data = NULL;
  const struct evkit_api *api;
  char message[256];
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external ||
      napi_check_object_type_tag(env, value, &tag, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                          "evkit: expected the nativeApi export of @evkit/core-native");
    return NULL;
  }
  api = (const struct evkit_api *) data;
  if (api->version != version || api->revision < revision) {
    snprintf(message, sizeof message,
             "evkit: this addon needs the evkit C API %u (revision %u or later); "
             "the installed @evkit/core-native provides %u revision %u",
             (unsigned) version, (unsigned) revision, (unsigned) api->version, (unsigned) api->revision);
    evkit__error(env, "EVKIT_API_MISMATCH", message);
    return NULL;
  }
  if (api->libev_major != EV_VERSION_MAJOR || api->libev_minor != EV_VERSION_MINOR ||
      memcmp(api->watcher_sizes, sizes, sizeof sizes) != 0) {
    snprintf(message, sizeof message,
             "evkit: this addon was compiled against libev %d.%d headers whose watchers differ "
             "from evkit's libev %d.%d: build it with @evkit/core-native's include dir",
             EV_VERSION_MAJOR, EV_VERSION_MINOR, (int) api->libev_major, (int) api->libev_minor);
    evkit__error(env, "EVKIT_API_MISMATCH", message);
    return NULL;
  }
  return api;
}

static inline const struct evkit_api *evkit_api_get(napi_env env, napi_value value) {
  return evkit_api_check(env, value, EVKIT_API_VERSION, EVKIT_API_REVISION);
}

#ifdef EVKIT_LIBEV_MACROS
/* The addon defines it once: const struct evkit_api *evkit_api_current; */
extern const struct evkit_api *evkit_api_current;
#define ev_time() (evkit_api_current->time())
#define ev_now(l) (evkit_api_current->now(l))
#define ev_now_update(l) ((void) evkit_api_current->now_update(l))
#define ev_ref(l) ((void) evkit_api_current->ref(l))
#define ev_unref(l) ((void) evkit_api_current->unref(l))
#define ev_break(l, how) ((void) evkit_api_current->break_loop((l), (how)))
#define ev_feed_event(l, w, r) ((void) evkit_api_current->feed_event((l), (w), (r)))
#define ev_invoke(l, w, r) ((void) evkit_api_current->invoke((l), (w), (r)))
#define ev_clear_pending(l, w) (evkit_api_current->clear_pending((l), (w)))
#define ev_io_start(l, w) ((void) evkit_api_current->io_start((l), (w)))
#define ev_io_stop(l, w) ((void) evkit_api_current->io_stop((l), (w)))
#define ev_timer_start(l, w) ((void) evkit_api_current->timer_start((l), (w)))
#define ev_timer_stop(l, w) ((void) evkit_api_current->timer_stop((l), (w)))
#define ev_timer_again(l, w) ((void) evkit_api_current->timer_again((l), (w)))
#define ev_timer_remaining(l, w) (evkit_api_current->timer_remaining((l), (w)))
#define ev_periodic_start(l, w) ((void) evkit_api_current->periodic_start((l), (w)))
#define ev_periodic_stop(l, w) ((void) evkit_api_current->periodic_stop((l), (w)))
#define ev_periodic_again(l, w) ((void) evkit_api_current->periodic_again((l), (w)))
#define ev_idle_start(l, w) ((void) evkit_api_current->idle_start((l), (w)))
#define ev_idle_stop(l, w) ((void) evkit_api_current->idle_stop((l), (w)))
#define ev_prepare_start(l, w) ((void) evkit_api_current->prepare_start((l), (w)))
#define ev_prepare_stop(l, w) ((void) evkit_api_current->prepare_stop((l), (w)))
#define ev_check_start(l, w) ((void) evkit_api_current->check_start((l), (w)))
#define ev_check_stop(l, w) ((void) evkit_api_current->check_stop((l), (w)))
#define ev_fork_start(l, w) ((void) evkit_api_current->fork_start((l), (w)))
#define ev_fork_stop(l, w) ((void) evkit_api_current->fork_stop((l), (w)))
#define ev_cleanup_start(l, w) ((void) evkit_api_current->cleanup_start((l), (w)))
#define ev_cleanup_stop(l, w) ((void) evkit_api_current->cleanup_stop((l), (w)))
#define ev_async_start(l, w) ((void) evkit_api_current->async_start((l), (w)))
#define ev_async_stop(l, w) ((void) evkit_api_current->async_stop((l), (w)))
#define ev_async_send(l, w) ((void) evkit_api_current->async_send((l), (w)))
#define ev_stat_start(l, w) ((void) evkit_api_current->stat_start((l), (w)))
#define ev_stat_stop(l, w) ((void) evkit_api_current->stat_stop((l), (w)))
#define ev_stat_stat(l, w) ((void) evkit_api_current->stat_stat((l), (w)))
#endif

#ifdef __cplusplus
}
#endif

#endif /* EVKIT_H */
