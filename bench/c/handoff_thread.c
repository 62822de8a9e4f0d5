/* Attached-mode floor: the smallest C version of evkit's attached design.
 * ev_run runs on a loop thread that holds a mutex except while it sleeps in
 * the kernel (libev's release/acquire callbacks, ev.pod "THREAD LOCKING
 * EXAMPLE"). When a watcher fires, the loop thread hands the event to the main
 * thread through an eventfd (what uv_async does for evkit) and waits on a
 * condition variable until the main thread has "delivered" it. The main thread
 * waits in poll(2) like an event loop would.
 *
 *   handoff_thread chain N          a 0-delay timer re-armed N times from the
 *                                   main thread's delivery (hand-off (a))
 *   handoff_thread idle N           an ev_idle watcher: every loop pass is one
 *                                   hand-off, N passes (W3b attached)
 *   handoff_thread wake SAMPLES GAP the loop thread sleeps (a 60 s timer keeps
 *                                   it alive); every GAP ms the main thread
 *                                   starts a 0-delay timer and wakes the loop
 *                                   (ev_async_send); latency = start ->
 *                                   delivery on the main thread (hand-off (b))
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common.h"

struct shared {
  struct ev_loop *loop;
  pthread_mutex_t mu;
  pthread_cond_t delivered;
  int efd;      /* loop thread -> main thread */
  int handoff;  /* an event waits for the main thread */
  int stopping;
  ev_timer probe;
  ev_idle idle;
  ev_timer keeper;
  ev_async wake; /* main thread -> loop thread */
};

static struct shared S;

static void on_release(struct ev_loop *loop) { (void)loop, pthread_mutex_unlock(&S.mu); }
static void on_acquire(struct ev_loop *loop) { (void)loop, pthread_mutex_lock(&S.mu); }

/* Loop thread, mutex held: hand the event over and wait for its delivery. */
static void on_probe(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop, (void)w, (void)revents;
  uint64_t one = 1;
  S.handoff = 1;
  if (write(S.efd, &one, sizeof one) != sizeof one) abort();
  while (S.handoff && !S.stopping) pthread_cond_wait(&S.delivered, &S.mu);
}

static void on_idle(struct ev_loop *loop, ev_idle *w, int revents) {
  (void)w;
  on_probe(loop, NULL, revents);
}

static void on_wake(struct ev_loop *loop, ev_async *w, int revents) {
  (void)w, (void)revents;
  if (S.stopping) ev_break(loop, EVBREAK_ALL);
}

static void *loop_thread(void *arg) {
  (void)arg;
  pthread_mutex_lock(&S.mu);
  ev_run(S.loop, 0);
  pthread_mutex_unlock(&S.mu);
  return NULL;
}

/* Main thread: sleep in poll(2) until the loop thread hands something over. */
static void wait_handoff(void) {
  struct pollfd pfd = {.fd = S.efd, .events = POLLIN};
  for (;;) {
    int r = poll(&pfd, 1, -1);
    if (r == 1) break;
    if (r < 0 && errno != EINTR) abort();
  }
  uint64_t v;
  if (read(S.efd, &v, sizeof v) != sizeof v) abort();
}

static void init_shared(void) {
  memset(&S, 0, sizeof S);
  S.loop = new_loop();
  pthread_mutex_init(&S.mu, NULL);
  pthread_cond_init(&S.delivered, NULL);
  S.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (S.efd < 0) abort();
  ev_timer_init(&S.probe, on_probe, 0., 0.);
  ev_timer_init(&S.keeper, on_probe, 60., 0.);
  ev_idle_init(&S.idle, on_idle);
  ev_async_init(&S.wake, on_wake);
  ev_async_start(S.loop, &S.wake);
  ev_unref(S.loop); /* the wake-up watcher does not keep the loop alive */
  ev_set_loop_release_cb(S.loop, on_release, on_acquire);
}

static void finish(pthread_t thread) {
  pthread_mutex_lock(&S.mu);
  S.stopping = 1;
  if (ev_is_active(&S.keeper)) ev_timer_stop(S.loop, &S.keeper);
  ev_async_send(S.loop, &S.wake);
  pthread_cond_signal(&S.delivered);
  pthread_mutex_unlock(&S.mu);
  pthread_join(thread, NULL);
  ev_ref(S.loop);
  ev_async_stop(S.loop, &S.wake);
  ev_loop_destroy(S.loop);
  close(S.efd);
  pthread_cond_destroy(&S.delivered);
  pthread_mutex_destroy(&S.mu);
}

static double chain_once(long n) {
  pthread_t thread;
  init_shared();
  double t0 = now_ms();
  ev_timer_start(S.loop, &S.probe); /* before the thread runs: no lock needed */
  if (pthread_create(&thread, NULL, loop_thread, NULL) != 0) abort();
  long count = 0;
  while (count < n) {
    wait_handoff();
    pthread_mutex_lock(&S.mu);
    /* the "callback": re-arm the timer */
    if (++count < n) ev_timer_start(S.loop, &S.probe);
    S.handoff = 0;
    pthread_cond_signal(&S.delivered);
    pthread_mutex_unlock(&S.mu);
  }
  double ms = now_ms() - t0;
  finish(thread);
  return ms;
}

static double idle_once(long n) {
  pthread_t thread;
  init_shared();
  double t0 = now_ms();
  ev_idle_start(S.loop, &S.idle);
  if (pthread_create(&thread, NULL, loop_thread, NULL) != 0) abort();
  long count = 0;
  while (count < n) {
    wait_handoff();
    pthread_mutex_lock(&S.mu);
    if (++count >= n) ev_idle_stop(S.loop, &S.idle); /* the "callback" */
    S.handoff = 0;
    pthread_cond_signal(&S.delivered);
    pthread_mutex_unlock(&S.mu);
  }
  double ms = now_ms() - t0;
  finish(thread);
  return ms;
}

static void sleep_ms(long ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "chain";
  if (strcmp(mode, "chain") == 0) {
    long n = arg_long(argc, argv, 2, 20000);
    chain_once(n / 20 > 50 ? n / 20 : 50);
    double ms = chain_once(n);
    struct ev_loop *loop = new_loop();
    print_result("usPerIter", ms * 1e3 / (double)n, ms, n, loop);
    ev_loop_destroy(loop);
    return 0;
  }
  if (strcmp(mode, "idle") == 0) {
    long n = arg_long(argc, argv, 2, 20000);
    idle_once(n / 20 > 50 ? n / 20 : 50);
    double ms = idle_once(n);
    struct ev_loop *loop = new_loop();
    print_result("usPerPass", ms * 1e3 / (double)n, ms, n, loop);
    ev_loop_destroy(loop);
    return 0;
  }
  if (strcmp(mode, "wake") == 0) {
    long samples = arg_long(argc, argv, 2, 2000);
    long gap = arg_long(argc, argv, 3, 1);
    long warmup = samples / 20 > 10 ? samples / 20 : 10;
    double *lat = malloc((size_t)samples * sizeof *lat);
    if (lat == NULL) return 3;
    pthread_t thread;
    init_shared();
    ev_timer_start(S.loop, &S.keeper);
    if (pthread_create(&thread, NULL, loop_thread, NULL) != 0) abort();
    for (long i = 0; i < warmup + samples; i++) {
      sleep_ms(gap);
      double t0 = now_ms();
      pthread_mutex_lock(&S.mu); /* free: the loop thread sleeps in the kernel */
      ev_timer_start(S.loop, &S.probe);
      ev_async_send(S.loop, &S.wake);
      pthread_mutex_unlock(&S.mu);
      wait_handoff();
      double dt = now_ms() - t0; /* the delivery on the main thread starts here */
      pthread_mutex_lock(&S.mu);
      S.handoff = 0;
      pthread_cond_signal(&S.delivered);
      pthread_mutex_unlock(&S.mu);
      if (i >= warmup) lat[i - warmup] = dt * 1e3;
    }
    finish(thread);
    qsort(lat, (size_t)samples, sizeof *lat, cmp_double);
    printf("{\"ok\":true,\"metrics\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f},"
           "\"info\":{\"samples\":%ld,\"warmup\":%ld,\"gapMs\":%ld,\"minUs\":%.3f,\"maxUs\":%.3f,\"libev\":\"%d.%02d\"}}\n",
           percentile(lat, samples, 50), percentile(lat, samples, 90), percentile(lat, samples, 99), samples, warmup,
           gap, lat[0], lat[samples - 1], ev_version_major(), ev_version_minor());
    free(lat);
    return 0;
  }
  fprintf(stderr, "usage: handoff_thread chain N | idle N | wake SAMPLES GAP_MS\n");
  return 2;
}
