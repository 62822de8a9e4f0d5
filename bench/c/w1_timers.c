/* W1 floor: N one-shot ev_timers with after=0, all started up front, then
 * ev_run until every one has fired. Usage: w1_timers N [clock-per-start]
 * clock-per-start: ev_now_update() before each start, as evkit does outside
 * callbacks so that a timer counts `after` from the start() (api.md). The
 * timers' expiry times then differ, and libev's heap moves each expired one
 * down from the top instead of stopping at the first level. */
#include "common.h"

static long fired;
static int clock_per_start;

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop, (void)w, (void)revents;
  fired++;
}

static double run_once(long n) {
  struct ev_loop *loop = new_loop();
  ev_timer *timers = malloc((size_t)n * sizeof *timers);
  if (timers == NULL) exit(3);
  fired = 0;
  double t0 = now_ms();
  for (long i = 0; i < n; i++) {
    if (clock_per_start) ev_now_update(loop);
    ev_timer_init(&timers[i], on_timer, 0., 0.);
    ev_timer_start(loop, &timers[i]);
  }
  ev_run(loop, 0);
  double ms = now_ms() - t0;
  if (fired != n) {
    printf("{\"ok\":false,\"error\":\"fired %ld of %ld\"}\n", fired, n);
    exit(1);
  }
  ev_loop_destroy(loop);
  free(timers);
  return ms;
}

int main(int argc, char **argv) {
  long n = arg_long(argc, argv, 1, 200000);
  clock_per_start = argc > 2 && strcmp(argv[2], "clock-per-start") == 0;
  if (argc > 2 && !clock_per_start) {
    fprintf(stderr, "bad argument: %s (clock-per-start or nothing)\n", argv[2]);
    return 2;
  }
  run_once(n / 20 > 100 ? n / 20 : 100); /* warm-up, as the JS runner does */
  double ms = run_once(n);
  struct ev_loop *loop = new_loop();
  print_result("rate", (double)n / (ms / 1e3), ms, n, loop);
  ev_loop_destroy(loop);
  return 0;
}
