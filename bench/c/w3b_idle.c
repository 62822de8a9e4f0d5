/* W3b floor: an ev_idle watcher counts N loop passes. Usage: w3b_idle N */
#include "common.h"

static long count, target;

static void on_idle(struct ev_loop *loop, ev_idle *w, int revents) {
  (void)revents;
  if (++count >= target) ev_idle_stop(loop, w);
}

static double run_once(long n) {
  struct ev_loop *loop = new_loop();
  ev_idle idle;
  count = 0;
  target = n;
  double t0 = now_ms();
  ev_idle_init(&idle, on_idle);
  ev_idle_start(loop, &idle);
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
  long n = arg_long(argc, argv, 1, 1000000);
  run_once(n / 20 > 100 ? n / 20 : 100);
  double ms = run_once(n);
  struct ev_loop *loop = new_loop();
  print_result("usPerPass", ms * 1e3 / (double)n, ms, n, loop);
  ev_loop_destroy(loop);
  return 0;
}
