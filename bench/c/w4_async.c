/* W4 floor: N round trips between a second thread and a loop on the main
 * thread through an ev_async. The thread stores a request number,
 * ev_async_send()s and waits on a condition variable; the loop's ev_async
 * callback stores the reply and signals it (what Atomics.store + notify do
 * for evkit's W4). The thread times each round trip.
 * Usage: w4_async N */
#include <pthread.h>

#include "common.h"

static struct ev_loop *loop;
static ev_async wake;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t replied = PTHREAD_COND_INITIALIZER;
static long request, reply, target;
static double *lat, total_ms;

static void on_wake(struct ev_loop *l, ev_async *w, int revents) {
  (void)revents;
  pthread_mutex_lock(&mu);
  long req = request;
  if (reply != req) {
    reply = req;
    pthread_cond_signal(&replied);
  }
  pthread_mutex_unlock(&mu);
  if (req >= target) ev_async_stop(l, w);
}

static void *pinger(void *arg) {
  (void)arg;
  double t0 = now_ms();
  for (long i = 1; i <= target; i++) {
    double t = now_ms();
    pthread_mutex_lock(&mu);
    request = i;
    pthread_mutex_unlock(&mu);
    ev_async_send(loop, &wake);
    pthread_mutex_lock(&mu);
    while (reply != i) pthread_cond_wait(&replied, &mu);
    pthread_mutex_unlock(&mu);
    lat[i - 1] = (now_ms() - t) * 1e3;
  }
  total_ms = now_ms() - t0;
  return NULL;
}

static void run_once(long n) {
  loop = new_loop();
  request = reply = 0;
  target = n;
  ev_async_init(&wake, on_wake);
  ev_async_start(loop, &wake);
  pthread_t thread;
  if (pthread_create(&thread, NULL, pinger, NULL) != 0) abort();
  ev_run(loop, 0);
  pthread_join(thread, NULL);
  ev_loop_destroy(loop);
}

int main(int argc, char **argv) {
  long n = arg_long(argc, argv, 1, 50000);
  lat = malloc((size_t)n * sizeof *lat);
  if (lat == NULL) return 3;
  run_once(n / 20 > 100 ? n / 20 : 100);
  run_once(n);
  qsort(lat, (size_t)n, sizeof *lat, cmp_double);
  printf("{\"ok\":true,\"metrics\":{\"rate\":%.6f,\"p50\":%.3f,\"ms\":%.6f},"
         "\"info\":{\"n\":%ld,\"p90\":%.3f,\"p99\":%.3f,\"minUs\":%.3f,\"maxUs\":%.3f,\"libev\":\"%d.%02d\"}}\n",
         (double)n / (total_ms / 1e3), percentile(lat, n, 50), total_ms, n, percentile(lat, n, 90),
         percentile(lat, n, 99), lat[0], lat[n - 1], ev_version_major(), ev_version_minor());
  free(lat);
  return 0;
}
