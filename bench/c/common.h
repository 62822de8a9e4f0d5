/* Shared helpers for evkit's C floor benchmarks: a monotonic clock, a plain
 * libev loop (same flags evkit uses: auto backend, no environment), argument
 * parsing and the one JSON line every benchmark prints. */
#ifndef EVKIT_BENCH_COMMON_H
#define EVKIT_BENCH_COMMON_H

#include <ev.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline struct ev_loop *new_loop(void) {
  struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOENV);
  if (loop == NULL) {
    printf("{\"ok\":false,\"error\":\"ev_loop_new failed\"}\n");
    exit(1);
  }
  return loop;
}

static inline long arg_long(int argc, char **argv, int i, long fallback) {
  if (i >= argc) return fallback;
  char *end = NULL;
  long v = strtol(argv[i], &end, 10);
  if (end == argv[i] || *end != '\0' || v <= 0) {
    fprintf(stderr, "bad argument: %s\n", argv[i]);
    exit(2);
  }
  return v;
}

static inline const char *backend_name(unsigned b) {
  switch (b) {
    case EVBACKEND_SELECT: return "select";
    case EVBACKEND_POLL: return "poll";
    case EVBACKEND_EPOLL: return "epoll";
    case EVBACKEND_KQUEUE: return "kqueue";
    case EVBACKEND_DEVPOLL: return "devpoll";
    case EVBACKEND_PORT: return "port";
#ifdef EVBACKEND_LINUXAIO
    case EVBACKEND_LINUXAIO: return "linuxaio";
#endif
#ifdef EVBACKEND_IOURING
    case EVBACKEND_IOURING: return "linux_iouring";
#endif
    default: return "?";
  }
}

/* {"ok":true,"metrics":{"<metric>":<value>,"ms":<ms>},"info":{...}} */
static inline void print_result(const char *metric, double value, double ms, long n, struct ev_loop *loop) {
  printf("{\"ok\":true,\"metrics\":{\"%s\":%.6f,\"ms\":%.6f},\"info\":{\"n\":%ld,\"libev\":\"%d.%02d\",\"backend\":\"%s\"}}\n",
         metric, value, ms, n, ev_version_major(), ev_version_minor(), backend_name(ev_backend(loop)));
}

/* mulberry32, as runner.mjs's prng(): the same seed picks the same sequence. */
static inline double next_rand01(uint32_t *state) {
  uint32_t t = (*state += 0x6d2b79f5u);
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return (double)(t ^ (t >> 14)) / 4294967296.0;
}

static inline int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static inline double percentile(const double *sorted, long n, double p) {
  if (n <= 0) return 0;
  double rank = p / 100.0 * (double)(n - 1);
  long lo = (long)rank;
  long hi = lo + 1 < n ? lo + 1 : lo;
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - (double)lo);
}

#endif
