/* W6 floor: N ev_timers with random timeouts in [1, 100] s (integer ms, the
 * same seeded PRNG as runner.mjs) started on a loop that is never run, then
 * all stopped. Each start refreshes the loop's clock first, as evkit's does
 * outside callbacks (api.md: a timer counts `after` from its start()). A
 * warm-up of N/100 (at most 10k) timers runs first on another loop, as the
 * JS runner's does. Usage: w6_timers N */
#include "common.h"

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents) { (void)loop, (void)w, (void)revents; }

struct lap {
  double start_ms, stop_ms;
};

static struct lap run_once(long n) {
  uint32_t seed = 0x5eed;
  double *after = malloc((size_t)n * sizeof *after);
  ev_timer *timers = malloc((size_t)n * sizeof *timers);
  if (after == NULL || timers == NULL) exit(3);
  for (long i = 0; i < n; i++) after[i] = (1000 + (long)(next_rand01(&seed) * 99001)) / 1000.;
  struct ev_loop *loop = new_loop();
  struct lap lap;
  double t0 = now_ms();
  for (long i = 0; i < n; i++) {
    ev_now_update(loop);
    ev_timer_init(&timers[i], on_timer, after[i], 0.);
    ev_timer_start(loop, &timers[i]);
  }
  double t1 = now_ms();
  long active = 0;
  for (long i = 0; i < n; i++) active += ev_is_active(&timers[i]) ? 1 : 0;
  if (active != n) {
    printf("{\"ok\":false,\"error\":\"%ld of %ld timers active\"}\n", active, n);
    exit(1);
  }
  for (long i = 0; i < n; i++) ev_timer_stop(loop, &timers[i]);
  lap.start_ms = t1 - t0;
  lap.stop_ms = now_ms() - t1;
  ev_loop_destroy(loop);
  free(timers);
  free(after);
  return lap;
}

int main(int argc, char **argv) {
  long n = arg_long(argc, argv, 1, 1000000);
  long warm = n / 100 < 100 ? 100 : n / 100 > 10000 ? 10000 : n / 100;
  run_once(warm);
  struct lap lap = run_once(n);
  printf("{\"ok\":true,\"metrics\":{\"startRate\":%.6f,\"stopRate\":%.6f},\"info\":{\"n\":%ld,\"startMs\":%.6f,"
         "\"stopMs\":%.6f,\"libev\":\"%d.%02d\"}}\n",
         (double)n / (lap.start_ms / 1e3), (double)n / (lap.stop_ms / 1e3), n, lap.start_ms, lap.stop_ms,
         ev_version_major(), ev_version_minor());
  return 0;
}
