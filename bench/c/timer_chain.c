/* Hand-off (a) floor, blocking: a 0-delay ev_timer re-armed from its own
 * callback N times, all on one thread. Usage: timer_chain N */
#include "common.h"

static long count, target;

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)revents;
  if (++count < target) {
    ev_timer_set(w, 0., 0.);
    ev_timer_start(loop, w);
  }
}

static double run_once(long n) {
  struct ev_loop *loop = new_loop();
  ev_timer timer;
  count = 0;
  target = n;
  double t0 = now_ms();
  ev_timer_init(&timer, on_timer, 0., 0.);
  ev_timer_start(loop, &timer);
  ev_run(loop, 0);
  double ms = now_ms() - t0;
  ev_loop_destroy(loop);
  if (count != n) {
    printf("{\"ok\":false,\"error\":\"ran %ld of %ld\"}\n", count, n);
    exit(1);
  }
  return ms;
}

int main(int argc, char **argv) {
  long n = arg_long(argc, argv, 1, 20000);
  run_once(n / 20 > 50 ? n / 20 : 50);
  double ms = run_once(n);
  struct ev_loop *loop = new_loop();
  print_result("usPerIter", ms * 1e3 / (double)n, ms, n, loop);
  ev_loop_destroy(loop);
  return 0;
}
