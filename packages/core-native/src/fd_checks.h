// What evkit asks of an fd before libev may watch it (evkit's Io, and the
// io watchers of other addons through the C API).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace evkit {

inline bool FdClosed(int fd) { return fcntl(fd, F_GETFD) == -1 && errno == EBADF; }

// epoll_ctl on an epoll instance watched by an epoll loop aborts in libev.
inline bool IsEpollInstance(int fd) {
  char path[48];
  char target[64];
  std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(path, target, sizeof target - 1);
  if (n < 0) return false;
  target[n] = '\0';
  return std::strcmp(target, "anon_inode:[eventpoll]") == 0;
}

}  // namespace evkit
