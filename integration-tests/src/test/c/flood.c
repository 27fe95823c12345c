/*
 * flood: sends datagrams to 127.0.0.1:PORT from many spoofed loopback sources (127.1.x.y), at a
 * fixed rate for a fixed time, through a raw socket (root only). The payloads mix random junk,
 * forged control messages (RUT's magic, random tag), fake WireGuard initiations (148 bytes, type 1,
 * random mac1) and, if given, a captured datagram replayed from every source.
 *
 *   flood PORT RATE SECONDS SOURCES [HEX-OF-CAPTURED-DATAGRAM]
 *
 * Prints one line: "flood: sent N datagrams (B bytes) in S s from K sources". Stops by itself.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAXLEN 1500

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: flood PORT RATE SECONDS SOURCES [HEX]\n");
    return 2;
  }
  int port = atoi(argv[1]);
  double rate = atof(argv[2]), seconds = atof(argv[3]);
  int sources = atoi(argv[4]);
  unsigned char captured[MAXLEN];
  size_t capturedLen = 0;
  if (argc > 5) {
    for (const char *h = argv[5]; h[0] && h[1] && capturedLen < MAXLEN; h += 2) {
      sscanf(h, "%2hhx", &captured[capturedLen++]);
    }
  }
  int s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
  if (s < 0) {
    perror("flood: raw socket (root needed)");
    return 1;
  }
  static unsigned char packets[BATCH][sizeof(struct iphdr) + sizeof(struct udphdr) + MAXLEN];
  struct iovec iov[BATCH];
  struct mmsghdr msgs[BATCH];
  struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  memset(msgs, 0, sizeof msgs);
  unsigned long long sent = 0, bytes = 0;
  double start = now(), end = start + seconds;
  while (now() < end) {
    for (int i = 0; i < BATCH; i++) {
      unsigned char *p = packets[i];
      struct iphdr *ip = (struct iphdr *) p;
      struct udphdr *udp = (struct udphdr *) (p + sizeof *ip);
      unsigned char *data = p + sizeof *ip + sizeof *udp;
      uint64_t r = next();
      size_t len;
      switch (r % 16) {
        case 0: case 1: case 2: case 3:
          len = 88;
          next();
          for (size_t k = 0; k < len; k += 8) { uint64_t v = next(); memcpy(data + k, &v, 8); }
          memcpy(data, "RUT\x01", 4);
          break;
        case 4: case 5: case 6: case 7:
          len = 148;
          for (size_t k = 0; k < len; k += 8) { uint64_t v = next(); memcpy(data + k, &v, 8); }
          data[0] = 1; data[1] = data[2] = data[3] = 0;
          break;
        case 8:
          if (capturedLen) { len = capturedLen; memcpy(data, captured, len); break; }
          /* fall through */
        default:
          len = 1 + (next() % 1200);
          for (size_t k = 0; k < len; k += 8) { uint64_t v = next(); memcpy(data + k, &v, 8); }
      }
      uint32_t src = (127u << 24) | (1u << 16) | (uint32_t) ((r >> 8) % (uint64_t) sources);
      memset(ip, 0, sizeof *ip);
      ip->version = 4; ip->ihl = 5; ip->ttl = 64; ip->protocol = IPPROTO_UDP;
      ip->tot_len = htons(sizeof *ip + sizeof *udp + len);
      ip->saddr = htonl(src);
      ip->daddr = dst.sin_addr.s_addr;
      udp->source = htons(1024 + (uint16_t) ((r >> 32) % 60000));
      udp->dest = htons(port);
      udp->len = htons(sizeof *udp + len);
      udp->check = 0;
      iov[i].iov_base = p;
      iov[i].iov_len = sizeof *ip + sizeof *udp + len;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &dst;
      msgs[i].msg_hdr.msg_namelen = sizeof dst;
      bytes += len;
    }
    int n = sendmmsg(s, msgs, BATCH, 0);
    if (n > 0) sent += n;
    double due = start + sent / rate, wait = due - now();
    if (wait > 0) {
      struct timespec t = {(time_t) wait, (long) ((wait - (time_t) wait) * 1e9)};
      nanosleep(&t, NULL);
    }
  }
  printf("flood: sent %llu datagrams (%llu bytes) in %.1f s from %d sources\n", sent, bytes, now() - start, sources);
  return 0;
}
