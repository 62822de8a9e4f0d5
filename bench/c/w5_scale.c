/* W5 floor: P AF_UNIX socket pairs with an ev_io READ watcher on both ends
 * (2P fds) of one loop; one fd made ready per iteration: a byte is written to
 * a random fd, its peer's callback reads it and writes the next one. The same
 * seeded PRNG (mulberry32) as runner.mjs, so the same fds are picked.
 * The first 1/20 iterations are a warm-up on the same watchers.
 * Then the same number of iterations again without the loop (a write to a
 * random fd, a read on its peer): `ioRate`, what the system calls alone cost,
 * so the bench can tell the loop's share of an iteration from theirs.
 * Usage: w5_scale epoll|select PAIRS ITERATIONS */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

static uint32_t seed = 0x5eed;
static double rand01(void) { return next_rand01(&seed); }

static int *fds;
static long nfds, count, target;

static void next(void) {
  if (write(fds[(long)(rand01() * (double)nfds)], "x", 1) != 1) abort();
}

static void on_read(struct ev_loop *loop, ev_io *w, int revents) {
  (void)revents;
  char buf[64];
  if (read(w->fd, buf, sizeof buf) < 0 && errno != EAGAIN) abort();
  if (++count < target) next();
  else ev_break(loop, EVBREAK_ONE);
}

static double lap(struct ev_loop *loop, long n) {
  count = 0;
  target = n;
  double t0 = now_ms();
  next();
  ev_run(loop, 0);
  double ms = now_ms() - t0;
  if (count != n) {
    printf("{\"ok\":false,\"error\":\"%ld of %ld iterations\"}\n", count, n);
    exit(1);
  }
  return ms;
}

// Pairs are adjacent in fds, so an fd's peer is at index ^ 1.
static double io_lap(long n) {
  char buf[64];
  double t0 = now_ms();
  for (long i = 0; i < n; i++) {
    long at = (long)(rand01() * (double)nfds);
    if (write(fds[at], "x", 1) != 1) abort();
    if (read(fds[at ^ 1], buf, sizeof buf) != 1) abort();
  }
  return now_ms() - t0;
}

int main(int argc, char **argv) {
  const char *backend = argc > 1 ? argv[1] : "epoll";
  long pairs = arg_long(argc, argv, 2, 5000);
  long iterations = arg_long(argc, argv, 3, 100000);
  unsigned flag = strcmp(backend, "select") == 0 ? EVBACKEND_SELECT : EVBACKEND_EPOLL;
  nfds = 2 * pairs;
  fds = malloc((size_t)nfds * sizeof *fds);
  ev_io *ws = malloc((size_t)nfds * sizeof *ws);
  if (fds == NULL || ws == NULL) return 3;
  for (long i = 0; i < pairs; i++) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds + 2 * i) != 0) {
      printf("{\"ok\":false,\"error\":\"socketpair #%ld: %s\"}\n", i, strerror(errno));
      return 1;
    }
  }
  int maxfd = fds[nfds - 1];
  if (flag == EVBACKEND_SELECT && maxfd > 1023) {
    printf("{\"ok\":false,\"error\":\"select: fd %d is above FD_SETSIZE - 1\"}\n", maxfd);
    return 1;
  }
  struct ev_loop *loop = ev_loop_new(flag | EVFLAG_NOENV);
  if (loop == NULL) {
    printf("{\"ok\":false,\"error\":\"ev_loop_new(%s) failed\"}\n", backend);
    return 1;
  }
  for (long i = 0; i < nfds; i++) {
    ev_io_init(&ws[i], on_read, fds[i], EV_READ);
    ev_io_start(loop, &ws[i]);
  }
  lap(loop, iterations / 20 > 100 ? iterations / 20 : 100);
  double ms = lap(loop, iterations);
  double io_ms = io_lap(iterations);
  printf("{\"ok\":true,\"metrics\":{\"rate\":%.6f,\"ioRate\":%.6f,\"ms\":%.6f},\"info\":{\"pairs\":%ld,"
         "\"iterations\":%ld,\"ioMs\":%.6f,\"fds\":%ld,\"maxFd\":%d,\"libev\":\"%d.%02d\",\"backend\":\"%s\"}}\n",
         (double)iterations / (ms / 1e3), (double)iterations / (io_ms / 1e3), ms, pairs, iterations, io_ms, nfds, maxfd,
         ev_version_major(), ev_version_minor(), backend_name(ev_backend(loop)));
  for (long i = 0; i < nfds; i++) ev_io_stop(loop, &ws[i]);
  ev_loop_destroy(loop);
  for (long i = 0; i < nfds; i++) close(fds[i]);
  free(ws);
  free(fds);
  return 0;
}
