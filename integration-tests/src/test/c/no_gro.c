/*
 * Makes a process see a kernel without UDP_GRO (Linux before 5.0): setsockopt(SOL_UDP, UDP_GRO)
 * fails with ENOPROTOOPT, as such a kernel answers; every other option goes to the C library.
 * Loaded with LD_PRELOAD by GroRefusedTest.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>

#define SOL_UDP_LEVEL 17
#define UDP_GRO_OPTION 104

int setsockopt(int fd, int level, int name, const void *value, socklen_t length) {
  static int (*next)(int, int, int, const void *, socklen_t);
  if (level == SOL_UDP_LEVEL && name == UDP_GRO_OPTION) {
    errno = ENOPROTOOPT;
    return -1;
  }
  if (next == NULL) {
    next = (int (*)(int, int, int, const void *, socklen_t)) dlsym(RTLD_NEXT, "setsockopt");
  }
  return next(fd, level, name, value, length);
}
