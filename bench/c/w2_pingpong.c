/* W2 floor: one byte bounced over an AF_UNIX socket pair N times (a -> b -> a
 * is one round trip), an ev_io READ watcher on each end of one loop; each
 * callback reads the byte and writes it back. Usage: w2_pingpong N */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

static long trips, target;
static ev_io echo_w, back_w;

static void drain(int fd) {
  char buf[64];
  if (read(fd, buf, sizeof buf) < 0 && errno != EAGAIN) abort();
}

static void put(int fd) {
  if (write(fd, "x", 1) != 1) abort();
}

static void on_echo(struct ev_loop *loop, ev_io *w, int revents) {
  (void)loop, (void)revents;
  drain(w->fd);
  put(w->fd);
}

static void on_back(struct ev_loop *loop, ev_io *w, int revents) {
  (void)revents;
  drain(w->fd);
  if (++trips < target) put(w->fd);
  else {
    ev_io_stop(loop, &echo_w);
    ev_io_stop(loop, &back_w);
  }
}

static double run_once(long n) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) abort();
  struct ev_loop *loop = new_loop();
  trips = 0;
  target = n;
  ev_io_init(&echo_w, on_echo, sv[0], EV_READ);
  ev_io_init(&back_w, on_back, sv[1], EV_READ);
  ev_io_start(loop, &echo_w);
  ev_io_start(loop, &back_w);
  double t0 = now_ms();
  put(sv[1]);
  ev_run(loop, 0);
  double ms = now_ms() - t0;
  ev_loop_destroy(loop);
  close(sv[0]);
  close(sv[1]);
  if (trips != n) {
    printf("{\"ok\":false,\"error\":\"%ld of %ld round trips\"}\n", trips, n);
    exit(1);
  }
  return ms;
}

int main(int argc, char **argv) {
  long n = arg_long(argc, argv, 1, 200000);
  run_once(n / 20 > 100 ? n / 20 : 100);
  double ms = run_once(n);
  struct ev_loop *loop = new_loop();
  print_result("rate", (double)n / (ms / 1e3), ms, n, loop);
  ev_loop_destroy(loop);
  return 0;
}
