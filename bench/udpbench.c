/*
 * udpbench: RUT's benchmark load generator and UDP echo service (Linux, C99 + GNU).
 *
 *   udpbench echo   --listen 127.0.0.1:PORT
 *   udpbench tput   --target 127.0.0.1:PORT --path tunnel --clients 16 --size 64 [--window 32 --gso 1 ...]
 *   udpbench lat    --target ... --clients 16 --size 64 [--rate 2000 ...]
 *   udpbench setup  --target ... --clients 200
 *   udpbench first  --target ... --t0 UNIX_NS
 *   udpbench scale  --target ... --clients 10000 --pids OUTSIDE_PID,INSIDE_PID
 *   udpbench report RESULTS.jsonl
 *
 * Every client is its own socket with its own source address (127.1.x.y, all of 127.0.0.0/8 is
 * loopback) and port, connected to the target. Every measuring command appends one JSON line per
 * run to --out and prints it. The echo service answers in batches (recvmmsg/sendmmsg) and the
 * generator reads in batches over epoll, so neither is the bottleneck of the tunnel. The echo
 * service reads with UDP_GRO and answers a coalesced read with one UDP_SEGMENT send, as wireguard-go
 * and QUIC stacks do; with --gso 1 the generator's clients send and read that way too.
 * Every loop is bounded in time: each command has a deadline.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAGIC 0x52424e43u      /* marks the generator's datagrams */
#define BATCH 64               /* datagrams per recvmmsg/sendmmsg */
#define RBUF 65536             /* receive buffer per batch entry */
#define NO_SLOT 0xffffffffu    /* a connect or hold datagram, not a window slot */
#define TIMER_TAG 0xffffffffu  /* epoll tag of the pacing timer */
#define MAX_CLIENTS 60000
#define CLIENT_PORT 21000      /* clients' source port (+ run number), below the ephemeral range */

/* The first 32 bytes of every datagram the generator sends. */
struct hdr {
  uint32_t magic;
  uint32_t client;
  uint32_t slot;
  uint32_t pad;
  uint64_t seq;
  uint64_t sent;
};

/* ---- options --------------------------------------------------------------------------------- */

static struct {
  const char *target, *listen, *path, *out, *pids;
  int clients, size, window, rate, rep, src_base, gso;
  double duration, warmup, timeout, retrans, deadline, idle, hold, interval, grace;
  long long t0;
} o = {
    .target = "127.0.0.1:23222", .listen = "127.0.0.1:23820", .path = "tunnel", .out = NULL, .pids = "",
    .clients = 1, .size = 64, .window = 32, .rate = 2000, .rep = 1, .src_base = 0, .gso = 0,
    .duration = 5, .warmup = 1, .timeout = 0.5, .retrans = 0.25, .deadline = 30, .idle = 20,
    .hold = 10, .interval = 5, .grace = 0.3, .t0 = 0,
};

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "udpbench: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(1);
}

static void parse_opts(int argc, char **argv) {
  for (int i = 2; i < argc; i++) {
    const char *k = argv[i];
    if (i + 1 >= argc) die("%s needs a value", k);
    const char *v = argv[++i];
#define S(name) if (!strcmp(k, "--" #name)) { o.name = v; continue; }
#define I(name) if (!strcmp(k, "--" #name)) { o.name = atoi(v); continue; }
#define D(name) if (!strcmp(k, "--" #name)) { o.name = atof(v); continue; }
    S(target) S(listen) S(path) S(out) S(pids)
    I(clients) I(size) I(window) I(rate) I(rep) I(src_base) I(gso)
    D(duration) D(warmup) D(timeout) D(retrans) D(deadline) D(idle) D(hold) D(interval) D(grace)
    if (!strcmp(k, "--t0")) { o.t0 = atoll(v); continue; }
    die("unknown option %s", k);
  }
  if (o.clients < 1 || o.clients > MAX_CLIENTS) die("--clients must be 1..%d", MAX_CLIENTS);
  if (o.size < (int)sizeof(struct hdr) || o.size > 65507) die("--size must be %zu..65507", sizeof(struct hdr));
  if (o.window < 1 || o.window > 4096) die("--window must be 1..4096");
  if (o.rate < 1 || o.rate > 1000000) die("--rate must be 1..1000000");
}

/* ---- time, addresses, sockets ---------------------------------------------------------------- */

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static long long real_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (long long)t.tv_sec * 1000000000ll + t.tv_nsec;
}

static uint64_t secs(double s) { return (uint64_t)(s * 1e9); }

static struct sockaddr_in parse_addr(const char *s) {
  char host[64];
  const char *colon = strrchr(s, ':');
  if (!colon || colon - s >= (long)sizeof(host)) die("bad address %s (want IPv4:PORT)", s);
  memcpy(host, s, colon - s);
  host[colon - s] = 0;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(colon + 1))};
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1) die("bad address %s (want IPv4:PORT)", s);
  return a;
}

/* Client i's source address: 127.1.x.y, 250 per /24, never .0 or .255. */
static struct in_addr client_addr(int i) {
  unsigned n = (unsigned)(i + o.src_base);
  unsigned hi = n / 250, lo = n % 250 + 1;
  struct in_addr a = {htonl((127u << 24) | ((1u + hi / 256) << 16) | ((hi % 256) << 8) | lo)};
  return a;
}

static void big_buffers(int fd, int bytes) {
  /* SO_*BUFFORCE passes net.core.rmem_max when running as root; plain SO_*BUF otherwise. */
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) < 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)) < 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
}

/* UDP_GRO on fd: coalesced reads carry their segment size in a cmsg (gro_size). */
static void enable_gro(int fd) {
  int on = 1;
  if (setsockopt(fd, IPPROTO_UDP, UDP_GRO, &on, sizeof(on)) < 0) die("UDP_GRO: %s", strerror(errno));
}

#define CMSG_ROOM CMSG_SPACE(sizeof(int))

/* The segment size of a coalesced read, or 0 when the read holds one datagram. */
static int gro_size(struct msghdr *h) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
    if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO) {
      int v;
      memcpy(&v, CMSG_DATA(c), sizeof(v));
      return v;
    }
  }
  return 0;
}

/* Makes h carry UDP_SEGMENT = seg in its control buffer ctl (CMSG_ROOM bytes). */
static void set_segment(struct msghdr *h, char *ctl, uint16_t seg) {
  h->msg_control = ctl;
  h->msg_controllen = CMSG_SPACE(sizeof(uint16_t));
  struct cmsghdr *c = CMSG_FIRSTHDR(h);
  c->cmsg_level = IPPROTO_UDP;
  c->cmsg_type = UDP_SEGMENT;
  c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  memcpy(CMSG_DATA(c), &seg, sizeof(seg));
}

static int *fds;   /* client sockets */
static int nfds_;
static int ep = -1;
static struct sockaddr_in target;

static void open_clients(int n) {
  fds = calloc(n, sizeof(int));
  ep = epoll_create1(EPOLL_CLOEXEC);
  if (!fds || ep < 0) die("out of memory or epoll: %s", strerror(errno));
  for (int i = 0; i < n; i++) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket %d: %s (raise ulimit -n)", i, strerror(errno));
    big_buffers(fd, n > 1000 ? 65536 : 1 << 20);
    /*
     * A fixed port below the ephemeral range, on an address of its own: the clients leave the
     * ephemeral ports to the agents (an inside agent binds two per tunnel on the wildcard address,
     * and a port taken on any address is taken for a wildcard bind). The kernel's choice if taken.
     */
    struct sockaddr_in src = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(CLIENT_PORT + (unsigned)o.rep % 64)),
                              .sin_addr = client_addr(i)};
    if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
      src.sin_port = 0;
      if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) die("bind client %d: %s", i, strerror(errno));
    }
    if (connect(fd, (struct sockaddr *)&target, sizeof(target)) < 0) die("connect: %s", strerror(errno));
    if (o.gso) enable_gro(fd);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl: %s", strerror(errno));
    fds[i] = fd;
  }
  nfds_ = n;
}

static char *sbuf;  /* one payload to send, header rewritten per datagram */
static unsigned long send_errors;

static void send_one(int client, uint32_t slot, uint64_t seq) {
  struct hdr h = {MAGIC, (uint32_t)client, slot, 0, seq, now_ns()};
  memcpy(sbuf, &h, sizeof(h));
  if (send(fds[client], sbuf, o.size, 0) < 0) send_errors++;
}

/* Reads every datagram waiting on the ready sockets; calls on_echo(header, arrival time). */
static struct mmsghdr rmsg[BATCH];
static struct iovec riov[BATCH];
static char *rbufs;
static char rctl[BATCH][CMSG_ROOM];

static void init_recv(void) {
  rbufs = malloc((size_t)BATCH * RBUF);
  sbuf = calloc(1, 65536);
  if (!rbufs || !sbuf) die("out of memory");
  for (int i = 0; i < BATCH; i++) {
    riov[i].iov_base = rbufs + (size_t)i * RBUF;
    riov[i].iov_len = RBUF;
    rmsg[i].msg_hdr.msg_iov = &riov[i];
    rmsg[i].msg_hdr.msg_iovlen = 1;
  }
}

typedef void (*echo_fn)(const struct hdr *h, uint64_t at);

static int poll_once(int timeout_ms, echo_fn on_echo, void (*on_timer)(void)) {
  struct epoll_event ev[256];
  int n = epoll_wait(ep, ev, 256, timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return 0;
    die("epoll_wait: %s", strerror(errno));
  }
  for (int e = 0; e < n; e++) {
    if (ev[e].data.u32 == TIMER_TAG) {
      if (on_timer) on_timer();
      continue;
    }
    int fd = fds[ev[e].data.u32];
    for (int rounds = 0; rounds < 64; rounds++) {
      for (int i = 0; i < BATCH; i++) {
        rmsg[i].msg_hdr.msg_control = rctl[i];
        rmsg[i].msg_hdr.msg_controllen = CMSG_ROOM;
      }
      int got = recvmmsg(fd, rmsg, BATCH, MSG_DONTWAIT, NULL);
      if (got <= 0) break;  /* EAGAIN, or an ICMP error (ECONNREFUSED) before anyone listens */
      uint64_t at = now_ns();
      for (int i = 0; i < got; i++) {
        unsigned len = rmsg[i].msg_len, seg = (unsigned)gro_size(&rmsg[i].msg_hdr);
        if (seg == 0) seg = len;
        for (unsigned off = 0; off < len; off += seg) {  /* each datagram of a coalesced read */
          struct hdr h;
          if (len - off < sizeof(h)) continue;
          memcpy(&h, (char *)riov[i].iov_base + off, sizeof(h));
          if (h.magic == MAGIC) on_echo(&h, at);
        }
      }
      if (got < BATCH) break;
    }
  }
  return n;
}

/* ---- JSON out -------------------------------------------------------------------------------- */

static char jbuf[8192];
static size_t jlen;

static void jstart(const char *kind, const char *point) {
  jlen = (size_t)snprintf(jbuf, sizeof(jbuf), "{\"kind\":\"%s\",\"point\":\"%s\",\"path\":\"%s\",\"rep\":%d",
                          kind, point, o.path, o.rep);
}

static void jnum(const char *k, double v) {
  if (jlen < sizeof(jbuf)) jlen += (size_t)snprintf(jbuf + jlen, sizeof(jbuf) - jlen, ",\"%s\":%.6g", k, v);
}

static void jend(void) {
  if (jlen < sizeof(jbuf))
    jlen += (size_t)snprintf(jbuf + jlen, sizeof(jbuf) - jlen, ",\"unix\":%lld}", real_ns() / 1000000000ll);
  printf("%s\n", jbuf);
  fflush(stdout);
  if (o.out) {
    FILE *f = fopen(o.out, "a");
    if (!f) die("cannot append to %s: %s", o.out, strerror(errno));
    fprintf(f, "%s\n", jbuf);
    fclose(f);
  }
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Percentile q (0..1) of sorted nanoseconds, in microseconds (nearest rank). */
static double pct_us(const uint32_t *v, size_t n, double q) {
  if (n == 0) return -1;
  size_t i = (size_t)(q * (double)n);
  if (i >= n) i = n - 1;
  return v[i] / 1000.0;
}

/* ---- connecting clients: every client gets one echo before measuring ----------------------- */

static char *served;
static int nserved;
static uint64_t *served_at;
static char *first_back;

static void on_connect_echo(const struct hdr *h, uint64_t at) {
  if (h->client >= (uint32_t)nfds_) return;
  if (h->slot == NO_SLOT && h->seq == 0) first_back[h->client] = 1;
  if (!served[h->client]) {
    served[h->client] = 1;
    served_at[h->client] = at;
    nserved++;
  }
}

/*
 * Sends a first datagram from clients [from, to) (all at once), re-sends every --retrans seconds
 * to those not yet answered, until all are answered or the deadline. Returns the time all were.
 */
static unsigned long resends;

static void connect_range(int from, int to, uint64_t deadline) {
  uint64_t t = now_ns(), next = t + secs(o.retrans);
  for (int i = from; i < to; i++) send_one(i, NO_SLOT, 0);
  int want = to - from, got;
  while (now_ns() < deadline) {
    got = 0;
    poll_once(1, on_connect_echo, NULL);
    for (int i = from; i < to; i++) got += served[i];
    if (got == want) return;
    if (now_ns() >= next) {
      for (int i = from; i < to; i++)
        if (!served[i]) { send_one(i, NO_SLOT, 1); resends++; }
      next = now_ns() + secs(o.retrans);
    }
  }
}

static void alloc_served(int n) {
  served = calloc(n, 1);
  first_back = calloc(n, 1);
  served_at = calloc(n, sizeof(uint64_t));
  if (!served || !first_back || !served_at) die("out of memory");
}

/* Lets late echoes arrive and be ignored. */
static void drain(double seconds, echo_fn fn) {
  uint64_t end = now_ns() + secs(seconds);
  while (now_ns() < end) poll_once(1, fn, NULL);
}

static void ignore_echo(const struct hdr *h, uint64_t at) { (void)h; (void)at; }

/* ---- echo service ---------------------------------------------------------------------------- */

static volatile sig_atomic_t stop_flag;
static void on_signal(int s) { (void)s; stop_flag = 1; }

static int cmd_echo(void) {
  struct sockaddr_in a = parse_addr(o.listen);
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket: %s", strerror(errno));
  big_buffers(fd, 8 << 20);
  enable_gro(fd);
  if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) die("echo: cannot bind %s: %s", o.listen, strerror(errno));
  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  /* Wake up now and then so that a signal is noticed even while nothing arrives. */
  struct timeval tv = {0, 200000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  static struct mmsghdr m[BATCH];
  static struct iovec iov[BATCH];
  static struct sockaddr_in from[BATCH];
  static char ctl[BATCH][CMSG_ROOM];
  char *buf = malloc((size_t)BATCH * RBUF);
  if (!buf) die("out of memory");
  fprintf(stderr, "udpbench echo: listening on %s\n", o.listen);
  unsigned long long echoed = 0;
  while (!stop_flag) {
    for (int i = 0; i < BATCH; i++) {
      iov[i].iov_base = buf + (size_t)i * RBUF;
      iov[i].iov_len = RBUF;
      m[i].msg_hdr = (struct msghdr){.msg_name = &from[i], .msg_namelen = sizeof(from[i]), .msg_iov = &iov[i],
                                     .msg_iovlen = 1, .msg_control = ctl[i], .msg_controllen = CMSG_ROOM};
    }
    int n = recvmmsg(fd, m, BATCH, MSG_WAITFORONE, NULL);
    if (n <= 0) continue;
    unsigned long long datagrams = 0;
    for (int i = 0; i < n; i++) {
      unsigned len = m[i].msg_len;
      int seg = gro_size(&m[i].msg_hdr);
      iov[i].iov_len = len;
      m[i].msg_hdr.msg_control = NULL;
      m[i].msg_hdr.msg_controllen = 0;
      if (seg > 0 && len > (unsigned)seg) {  /* a coalesced read goes back as one segmented send */
        set_segment(&m[i].msg_hdr, ctl[i], (uint16_t)seg);
        datagrams += (len + (unsigned)seg - 1) / (unsigned)seg;
      } else {
        datagrams++;
      }
    }
    int done = 0;
    for (int tries = 0; done < n && tries < 4; tries++) {
      int s = sendmmsg(fd, m + done, n - done, 0);
      if (s < 0) {
        done++;  /* skip the datagram that failed (e.g. its sender is gone) */
      } else {
        done += s;
      }
    }
    echoed += datagrams;
  }
  fprintf(stderr, "udpbench echo: stopped after %llu datagrams\n", echoed);
  return 0;
}

/* ---- throughput: a fixed window of datagrams in flight, kept full -------------------------- */

static unsigned long long cpu_ticks(int pid);
static int pids[8], npids;
static void parse_pids(void);

struct slot {
  uint64_t seq, sent;
  int busy;
};
static struct slot *slots;
static uint64_t next_seq = 2, t_meas, t_end;
static int rr;  /* next client, round robin */
static int stopping;
static unsigned long ok_n, lost_n, late_n, lost_warm;
static uint32_t *rtts;
static size_t nrtt, caprtt;
static int *q_client;
static uint32_t *q_slot;
static int qn;

static void issue(uint32_t s) {
  if (stopping) {
    slots[s].busy = 0;
    return;
  }
  slots[s].seq = next_seq++;
  slots[s].busy = 1;
  slots[s].sent = now_ns();  /* until flush() stamps the real send time: not timed out meanwhile */
  if (qn >= o.window) die("internal: send queue overflow");
  q_client[qn] = rr;
  q_slot[qn] = s;
  qn++;
  rr = (rr + 1) % nfds_;
}

/* Sends what issue() queued; consecutive datagrams of one client go in one sendmmsg. */
static char *wbufs;

/* --gso 1: up to 64 queued datagrams of one client (65,507 bytes at most) in one UDP_SEGMENT send. */
static char *gbuf;
static int flush_segmented(int c, int from, int k) {
  static char ctl[CMSG_ROOM];
  for (int j = 0; j < k; j++) {
    uint32_t s = q_slot[from + j];
    slots[s].sent = now_ns();
    struct hdr h = {MAGIC, (uint32_t)c, s, 0, slots[s].seq, slots[s].sent};
    memcpy(gbuf + (size_t)j * o.size, &h, sizeof(h));
  }
  struct iovec v = {.iov_base = gbuf, .iov_len = (size_t)k * o.size};
  struct msghdr h = {.msg_iov = &v, .msg_iovlen = 1};
  if (k > 1) set_segment(&h, ctl, (uint16_t)o.size);
  return sendmsg(fds[c], &h, 0) < 0 ? 0 : k;
}

static void flush(void) {
  static struct mmsghdr m[BATCH];
  static struct iovec iov[BATCH];
  int i = 0;
  int per_send = o.gso ? (65507 / o.size < BATCH ? 65507 / o.size : BATCH) : BATCH;
  while (i < qn) {
    int c = q_client[i], k = 0;
    while (i + k < qn && q_client[i + k] == c && k < per_send) {
      if (o.gso) {
        k++;
        continue;
      }
      uint32_t s = q_slot[i + k];
      char *b = wbufs + (size_t)s * o.size;
      slots[s].sent = now_ns();
      struct hdr h = {MAGIC, (uint32_t)c, s, 0, slots[s].seq, slots[s].sent};
      memcpy(b, &h, sizeof(h));
      iov[k].iov_base = b;
      iov[k].iov_len = o.size;
      m[k].msg_hdr = (struct msghdr){.msg_iov = &iov[k], .msg_iovlen = 1};
      k++;
    }
    int sent = o.gso ? flush_segmented(c, i, k)
               : k == 1 ? (send(fds[c], iov[0].iov_base, o.size, 0) < 0 ? 0 : 1) : sendmmsg(fds[c], m, k, 0);
    if (sent < k) send_errors += (unsigned long)(k - (sent < 0 ? 0 : sent));  /* they will time out */
    i += k;
  }
  qn = 0;
}

static void on_tput_echo(const struct hdr *h, uint64_t at) {
  if (h->slot >= (uint32_t)o.window) return;  /* a late connect datagram */
  struct slot *s = &slots[h->slot];
  if (!s->busy || s->seq != h->seq) {
    late_n++;
    return;
  }
  if (s->sent >= t_meas && s->sent < t_end) {
    ok_n++;
    if (nrtt < caprtt) rtts[nrtt++] = (uint32_t)(at - s->sent);
  }
  issue(h->slot);
}

static void check_timeouts(uint64_t now, uint64_t timeout) {
  for (int s = 0; s < o.window; s++) {
    if (slots[s].busy && now - slots[s].sent > timeout) {
      if (slots[s].sent >= t_meas && slots[s].sent < t_end) lost_n++; else lost_warm++;
      issue((uint32_t)s);
    }
  }
}

/* Opens the clients, has each get one echo, and drains: how a measured run starts. */
static int connect_clients(double *connect_ms) {
  target = parse_addr(o.target);
  init_recv();
  open_clients(o.clients);
  alloc_served(o.clients);
  uint64_t t = now_ns();
  connect_range(0, o.clients, t + secs(o.deadline));
  *connect_ms = (now_ns() - t) / 1e6;
  int unserved = o.clients - nserved;
  drain(0.1, ignore_echo);
  return unserved;
}

static int cmd_tput(void) {
  double connect_ms;
  int unserved = connect_clients(&connect_ms);

  slots = calloc(o.window, sizeof(*slots));
  q_client = calloc(o.window, sizeof(int));
  q_slot = calloc(o.window, sizeof(uint32_t));
  wbufs = calloc((size_t)o.window, o.size);
  gbuf = calloc(1, 65536);
  caprtt = 4000000;
  rtts = malloc(caprtt * sizeof(uint32_t));
  if (!slots || !q_client || !q_slot || !wbufs || !gbuf || !rtts) die("out of memory");
  uint64_t timeout = secs(o.timeout);
  uint64_t t = now_ns();
  t_meas = t + secs(o.warmup);
  t_end = t_meas + secs(o.duration);
  for (int s = 0; s < o.window; s++) issue((uint32_t)s);
  flush();
  uint64_t hard_end = t_end + timeout + secs(1);
  /* The agents' CPU time (--pids) over the measured interval: robust on a shared machine. */
  parse_pids();
  unsigned long long ticks0[8] = {0}, ticks1[8] = {0};
  int measuring = 0;
  for (;;) {
    poll_once(1, on_tput_echo, NULL);
    uint64_t now = now_ns();
    if (now >= t_meas && !measuring) {
      measuring = 1;
      for (int i = 0; i < npids; i++) ticks0[i] = cpu_ticks(pids[i]);
    }
    if (now >= t_end && !stopping) {
      stopping = 1;
      for (int i = 0; i < npids; i++) ticks1[i] = cpu_ticks(pids[i]);
    }
    check_timeouts(now, timeout);
    flush();
    int busy = 0;
    for (int s = 0; s < o.window; s++) busy += slots[s].busy;
    if ((stopping && busy == 0) || now > hard_end) break;
  }
  qsort(rtts, nrtt, sizeof(uint32_t), cmp_u32);
  double rt_s = ok_n / o.duration;
  char point[64];
  snprintf(point, sizeof(point), o.gso ? "%dB %dc gso" : "%dB %dc", o.size, o.clients);
  jstart("tput", point);
  jnum("size", o.size);
  jnum("clients", o.clients);
  jnum("window", o.window);
  jnum("gso", o.gso);
  jnum("duration_s", o.duration);
  jnum("rt_per_s", rt_s);
  jnum("mbit_s", rt_s * o.size * 8 / 1e6);
  jnum("ok", (double)ok_n);
  jnum("lost", (double)lost_n);
  jnum("loss_pct", ok_n + lost_n ? 100.0 * lost_n / (double)(ok_n + lost_n) : 0);
  jnum("late", (double)late_n);
  jnum("lost_warmup", (double)lost_warm);
  jnum("send_errors", (double)send_errors);
  jnum("rtt_p50_us", pct_us(rtts, nrtt, 0.5));
  jnum("rtt_p99_us", pct_us(rtts, nrtt, 0.99));
  jnum("connect_ms", connect_ms);
  jnum("connect_unserved", unserved);
  static const char *who[] = {"out", "in", "in2", "in3", "in4", "in5", "in6", "in7"};
  for (int i = 0; i < npids; i++) {
    char k[48];
    double cpu_s = (double)(ticks1[i] - ticks0[i]) / (double)sysconf(_SC_CLK_TCK);
    snprintf(k, sizeof(k), "%s_cpu_pct", who[i]);
    jnum(k, 100.0 * cpu_s / o.duration);
    snprintf(k, sizeof(k), "%s_cpu_us_per_rt", who[i]);
    jnum(k, ok_n ? 1e6 * cpu_s / (double)ok_n : -1);
  }
  jend();
  return 0;
}

/* ---- latency: a fixed low rate ---------------------------------------------------------------- */

#define LRING 65536
static struct {
  uint64_t seq, sent;
  int state;  /* 1 in flight, 2 answered */
} ring[LRING];
static uint64_t lseq = 2, oldest = 2;
static int tfd = -1;
static uint64_t sent_meas, sent_total;

static void on_lat_echo(const struct hdr *h, uint64_t at) {
  if (h->slot == NO_SLOT) return;
  unsigned i = (unsigned)(h->seq % LRING);
  if (ring[i].seq != h->seq || ring[i].state != 1) {
    late_n++;
    return;
  }
  ring[i].state = 2;
  if (ring[i].sent >= t_meas && ring[i].sent < t_end) {
    ok_n++;
    if (nrtt < caprtt) rtts[nrtt++] = (uint32_t)(at - ring[i].sent);
  }
}

static void on_lat_tick(void) {
  uint64_t k = 0;
  if (read(tfd, &k, sizeof(k)) != sizeof(k)) return;
  if (k > 64) k = 64;  /* never a burst after a stall */
  for (uint64_t j = 0; j < k && !stopping; j++) {
    if (lseq - oldest >= LRING) break;  /* ring full: skip, counted in neither */
    unsigned i = (unsigned)(lseq % LRING);
    ring[i].seq = lseq;
    ring[i].state = 1;
    ring[i].sent = now_ns();
    if (ring[i].sent >= t_meas && ring[i].sent < t_end) sent_meas++;
    sent_total++;
    send_one(rr, 0, lseq);
    rr = (rr + 1) % nfds_;
    lseq++;
  }
}

static void lat_sweep(uint64_t now, uint64_t timeout) {
  while (oldest < lseq) {
    unsigned i = (unsigned)(oldest % LRING);
    if (ring[i].state == 1) {
      if (now - ring[i].sent <= timeout) break;
      ring[i].state = 0;
      if (ring[i].sent >= t_meas && ring[i].sent < t_end) lost_n++;
    }
    oldest++;
  }
}

static int start_timer(int rate) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd < 0) die("timerfd: %s", strerror(errno));
  long period = 1000000000L / rate;
  struct itimerspec its = {{period / 1000000000L, period % 1000000000L}, {0, 1000}};
  timerfd_settime(fd, 0, &its, NULL);
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = TIMER_TAG};
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  return fd;
}

static void stop_timer(int fd) {
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
}

static int cmd_lat(void) {
  double connect_ms;
  int unserved = connect_clients(&connect_ms);
  caprtt = (size_t)(o.rate * (o.duration + 1)) + 1024;
  rtts = malloc(caprtt * sizeof(uint32_t));
  if (!rtts) die("out of memory");
  uint64_t timeout = secs(o.timeout);
  uint64_t t = now_ns();
  t_meas = t + secs(o.warmup);
  t_end = t_meas + secs(o.duration);
  tfd = start_timer(o.rate);
  uint64_t hard_end = t_end + timeout + secs(1);
  for (;;) {
    poll_once(1, on_lat_echo, on_lat_tick);
    uint64_t now = now_ns();
    if (now >= t_end && !stopping) {
      stopping = 1;
      stop_timer(tfd);
    }
    lat_sweep(now, timeout);
    if ((stopping && oldest >= lseq) || now > hard_end) break;
  }
  qsort(rtts, nrtt, sizeof(uint32_t), cmp_u32);
  double mean = 0;
  for (size_t i = 0; i < nrtt; i++) mean += rtts[i];
  mean = nrtt ? mean / nrtt / 1000.0 : -1;
  char point[64];
  snprintf(point, sizeof(point), "%dB %dc", o.size, o.clients);
  jstart("lat", point);
  jnum("size", o.size);
  jnum("clients", o.clients);
  jnum("rate", o.rate);
  jnum("duration_s", o.duration);
  jnum("sent", (double)sent_meas);
  jnum("ok", (double)ok_n);
  jnum("lost", (double)lost_n);
  jnum("late", (double)late_n);
  jnum("p50_us", pct_us(rtts, nrtt, 0.5));
  jnum("p99_us", pct_us(rtts, nrtt, 0.99));
  jnum("p999_us", pct_us(rtts, nrtt, 0.999));
  jnum("mean_us", mean);
  jnum("max_us", nrtt ? rtts[nrtt - 1] / 1000.0 : -1);
  jnum("achieved_rate", ok_n / o.duration);
  jnum("connect_unserved", unserved);
  jend();
  return 0;
}

/* ---- setup: N clients send their first datagram at the same instant ----------------------- */

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static int cmd_setup(void) {
  target = parse_addr(o.target);
  init_recv();
  open_clients(o.clients);  /* all sockets first, then all first datagrams in one loop */
  alloc_served(o.clients);
  uint64_t t0 = now_ns();
  connect_range(0, o.clients, t0 + secs(o.deadline));
  uint64_t last = t0;
  for (int i = 0; i < o.clients; i++)
    if (served[i] && served_at[i] > last) last = served_at[i];
  drain(o.grace, on_connect_echo);  /* a first datagram may come back after a re-sent one */
  uint64_t *d = calloc(o.clients, sizeof(uint64_t));
  int n = 0, firsts = 0;
  for (int i = 0; i < o.clients; i++) {
    if (served[i]) d[n++] = served_at[i] - t0;
    firsts += first_back[i];
  }
  qsort(d, n, sizeof(uint64_t), cmp_u64);
  char point[64];
  snprintf(point, sizeof(point), "%dc", o.clients);
  jstart("setup", point);
  jnum("clients", o.clients);
  jnum("served", n);
  jnum("all_served_ms", n == o.clients ? (last - t0) / 1e6 : -1);
  jnum("p50_served_ms", n ? d[n / 2] / 1e6 : -1);
  jnum("first_lost", o.clients - firsts);
  jnum("resends", (double)resends);
  jnum("retrans_ms", o.retrans * 1000);
  jend();
  return 0;
}

/* ---- first: from the agents' launch (--t0, Unix ns) to the first echo ---------------------- */

static int got_first;
static void on_first(const struct hdr *h, uint64_t at) { (void)h; (void)at; got_first = 1; }

static int cmd_first(void) {
  target = parse_addr(o.target);
  init_recv();
  open_clients(1);
  long long t0 = o.t0 ? o.t0 : real_ns();
  uint64_t end = now_ns() + secs(o.deadline), next = 0;
  unsigned sent = 0;
  while (!got_first && now_ns() < end) {
    if (now_ns() >= next) {
      send_one(0, NO_SLOT, sent++);
      next = now_ns() + 10000000ull;  /* every 10 ms until answered */
    }
    poll_once(1, on_first, NULL);
  }
  double ms = got_first ? (real_ns() - t0) / 1e6 : -1;
  jstart("first", "launch");
  jnum("launch_to_echo_ms", ms);
  jnum("sent", sent);
  jend();
  return got_first ? 0 : 1;
}

/* ---- scale: many tunnels held open -------------------------------------------------------- */

struct proc_sample {
  double heap_kb, rss_kb;
  unsigned long long ticks;
};

static unsigned long long cpu_ticks(int pid) {
  char p[64], b[4096];
  snprintf(p, sizeof(p), "/proc/%d/stat", pid);
  FILE *f = fopen(p, "r");
  if (!f) return 0;
  size_t n = fread(b, 1, sizeof(b) - 1, f);
  fclose(f);
  b[n] = 0;
  char *s = strrchr(b, ')');
  if (!s) return 0;
  unsigned long long ut = 0, st = 0;
  /* after ")": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
  sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st);
  return ut + st;
}

static double rss_kb(int pid) {
  char p[64], line[256];
  snprintf(p, sizeof(p), "/proc/%d/status", pid);
  FILE *f = fopen(p, "r");
  double v = -1;
  if (!f) return v;
  while (fgets(line, sizeof(line), f))
    if (!strncmp(line, "VmRSS:", 6)) v = atof(line + 6);
  fclose(f);
  return v;
}

/* Java heap in use after a full GC: jcmd GC.run, then the "used" of GC.heap_info's heap lines. */
static double heap_kb(int pid) {
  char cmd[128], line[512];
  snprintf(cmd, sizeof(cmd), "timeout 60 jcmd %d GC.run >/dev/null 2>&1", pid);
  if (system(cmd) != 0) return -1;
  snprintf(cmd, sizeof(cmd), "timeout 60 jcmd %d GC.heap_info 2>/dev/null", pid);
  FILE *f = popen(cmd, "r");
  if (!f) return -1;
  double used = 0;
  int found = 0;
  while (fgets(line, sizeof(line), f)) {
    /* G1: " garbage-first heap   total 262144K, used 9876K [...]"; Serial/Parallel: one line per generation. */
    if (strstr(line, "Metaspace") || strstr(line, "class space") || !strstr(line, "total")) continue;
    char *u = strstr(line, "used ");
    if (u) {
      used += atof(u + 5);
      found = 1;
    }
  }
  pclose(f);
  return found ? used : -1;
}

static void parse_pids(void) {
  char buf[256];
  npids = 0;
  snprintf(buf, sizeof(buf), "%s", o.pids);
  for (char *tok = strtok(buf, ","); tok && npids < 8; tok = strtok(NULL, ",")) pids[npids++] = atoi(tok);
}

static void sample_heap(struct proc_sample *s) {
  for (int i = 0; i < npids; i++) {
    s[i].heap_kb = heap_kb(pids[i]);
    s[i].rss_kb = rss_kb(pids[i]);
  }
}

/* CPU ticks of a JVM's JIT compiler threads ("C1 CompilerThre", "C2 CompilerThre"). */
static unsigned long long jit_ticks(int pid) {
  char p[64];
  snprintf(p, sizeof(p), "/proc/%d/task", pid);
  DIR *d = opendir(p);
  if (!d) return 0;
  unsigned long long sum = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    char f[300], b[1024];
    snprintf(f, sizeof(f), "/proc/%d/task/%s/stat", pid, e->d_name);
    FILE *fp = fopen(f, "r");
    if (!fp) continue;
    size_t n = fread(b, 1, sizeof(b) - 1, fp);
    fclose(fp);
    b[n] = 0;
    char *open = strchr(b, '('), *close = strrchr(b, ')');
    if (!open || !close || !strstr(open, "CompilerThre")) continue;
    unsigned long long ut = 0, st = 0;
    sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st);
    sum += ut + st;
  }
  closedir(d);
  return sum;
}

/*
 * CPU of each process over `seconds`, as % of one core, in all and without the JIT compiler's
 * threads (a JVM started a minute ago still compiles the paths that idle traffic takes); the
 * generator sleeps meanwhile.
 */
static void sample_cpu(double seconds, double *pct, double *nojit) {
  unsigned long long a[8], b[8], ja[8], jb[8];
  for (int i = 0; i < npids; i++) {
    a[i] = cpu_ticks(pids[i]);
    ja[i] = jit_ticks(pids[i]);
  }
  uint64_t t = now_ns();
  struct timespec ts = {(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
  double el = (now_ns() - t) / 1e9, hz = (double)sysconf(_SC_CLK_TCK);
  for (int i = 0; i < npids; i++) {
    b[i] = cpu_ticks(pids[i]);
    jb[i] = jit_ticks(pids[i]);
    pct[i] = 100.0 * (double)(b[i] - a[i]) / hz / el;
    nojit[i] = 100.0 * ((double)(b[i] - a[i]) - (double)(jb[i] - ja[i])) / hz / el;
  }
}

static unsigned long hold_sent, hold_back, hold_limit;
static void on_hold(const struct hdr *h, uint64_t at) { (void)at; if (h->slot == NO_SLOT && h->seq >= 2) hold_back++; }
static void on_hold_tick(void) {
  uint64_t k = 0;
  if (read(tfd, &k, sizeof(k)) != sizeof(k)) return;
  if (k > 64) k = 64;
  for (uint64_t j = 0; j < k && hold_sent < hold_limit; j++) {
    send_one(rr, NO_SLOT, 2 + hold_sent);
    hold_sent++;
    rr = (rr + 1) % nfds_;
  }
}

/* Sends `count` datagrams at `rate` per second, one from each client in turn; counts the echoes. */
static void paced_round(unsigned long count, int rate) {
  double seconds = (double)count / rate;
  hold_sent = hold_back = 0;
  hold_limit = count;
  rr = 0;
  tfd = start_timer(rate);
  uint64_t end = now_ns() + secs(seconds * 2 + 1);  /* timer ticks may come late: send them all */
  while (hold_sent < hold_limit && now_ns() < end) poll_once(1, on_hold, on_hold_tick);
  stop_timer(tfd);
  drain(1.0, on_hold);
}

static int cmd_scale(void) {
  target = parse_addr(o.target);
  parse_pids();
  if (npids < 1) die("scale needs --pids OUTSIDE,INSIDE");
  init_recv();
  open_clients(o.clients);
  alloc_served(o.clients);
  struct proc_sample base[8], full[8];
  double idle_base[8], idle_full[8], nojit_base[8], nojit_full[8], idle2[8], nojit2[8];
  sample_heap(base);
  sample_cpu(o.idle / 2, idle_base, nojit_base);

  /* Set-up: at most --window clients connecting at once (below the outside's maxPendingClients). */
  uint64_t t0 = now_ns(), deadline = t0 + secs(o.deadline), next_resend = t0 + secs(o.retrans);
  int started = 0;
  while (nserved < o.clients && now_ns() < deadline) {
    while (started < o.clients && started - nserved < o.window) send_one(started++, NO_SLOT, 0);
    poll_once(1, on_connect_echo, NULL);
    if (now_ns() >= next_resend) {
      for (int i = 0; i < started; i++)
        if (!served[i]) { send_one(i, NO_SLOT, 1); resends++; }
      next_resend = now_ns() + secs(o.retrans);
    }
  }
  uint64_t last = t0;
  for (int i = 0; i < o.clients; i++)
    if (served[i] && served_at[i] > last) last = served_at[i];
  double setup_s = (last - t0) / 1e9;
  int setup_unserved = o.clients - nserved;
  drain(0.5, ignore_echo);

  /* Light traffic: every client sends once per --interval seconds, for --hold seconds. */
  int rate = (int)(o.clients / o.interval);
  if (rate < 1) rate = 1;
  paced_round((unsigned long)(o.hold * rate), rate);
  unsigned long light_sent = hold_sent, light_back = hold_back;

  sample_heap(full);
  /* Idle: keepalives only. */
  struct timespec ts = {2, 0};
  nanosleep(&ts, NULL);
  sample_cpu(o.idle, idle_full, nojit_full);
  sample_cpu(o.idle, idle2, nojit2);  /* a second period: closer to the steady state */
  for (int i = 0; i < npids; i++) {
    double r = rss_kb(pids[i]);  /* the larger of after the GC and after the idle period */
    if (r > full[i].rss_kb) full[i].rss_kb = r;
  }

  /* Are the tunnels still there? One datagram from every client. */
  paced_round((unsigned long)o.clients, 5000);
  unsigned long alive = hold_back, alive_sent = hold_sent;

  char point[64];
  snprintf(point, sizeof(point), "%d tunnels", o.clients);
  jstart("scale", point);
  jnum("tunnels", o.clients);
  jnum("setup_s", setup_s);
  jnum("setup_unserved", setup_unserved);
  jnum("setup_window", o.window);
  jnum("resends", (double)resends);
  jnum("light_sent", (double)light_sent);
  jnum("light_lost", (double)light_sent - (double)light_back);
  jnum("alive_after_idle", (double)alive);
  jnum("alive_sent", (double)alive_sent);
  jnum("idle_s", o.idle);
  static const char *who[] = {"out", "in", "in2", "in3", "in4", "in5", "in6", "in7"};
  char k[64];
  for (int i = 0; i < npids; i++) {
#define J(suffix, v) snprintf(k, sizeof(k), "%s_" suffix, who[i]); jnum(k, v);
    J("heap_base_kb", base[i].heap_kb)
    J("heap_kb", full[i].heap_kb)
    J("heap_per_tunnel_b", (full[i].heap_kb - base[i].heap_kb) * 1024.0 / o.clients)
    J("rss_base_kb", base[i].rss_kb)
    J("rss_kb", full[i].rss_kb)
    J("rss_per_tunnel_b", (full[i].rss_kb - base[i].rss_kb) * 1024.0 / o.clients)
    J("cpu_idle_base_pct", idle_base[i])
    J("cpu_idle_base_nojit_pct", nojit_base[i])
    J("cpu_idle_pct", idle_full[i])
    J("cpu_idle_nojit_pct", nojit_full[i])
    J("cpu_idle2_pct", idle2[i])
    J("cpu_idle2_nojit_pct", nojit2[i])
#undef J
  }
  jend();
  return 0;
}

/* ---- report: medians per point, tunnel/direct ratios, targets ------------------------------ */

#define MAXREC 4096
static char *recs[MAXREC];
static int nrec;

/* The number after "key": in a flat JSON line, or NAN. */
static double jget(const char *line, const char *key) {
  char pat[80];
  snprintf(pat, sizeof(pat), "\"%s\":", key);
  const char *p = strstr(line, pat);
  if (!p) return __builtin_nan("");
  return atof(p + strlen(pat));
}

static void jgets(const char *line, const char *key, char *out, size_t cap) {
  char pat[80];
  snprintf(pat, sizeof(pat), "\"%s\":\"", key);
  const char *p = strstr(line, pat);
  out[0] = 0;
  if (!p) return;
  p += strlen(pat);
  size_t i = 0;
  while (p[i] && p[i] != '"' && i + 1 < cap) { out[i] = p[i]; i++; }
  out[i] = 0;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Median of `key` over the runs of (kind, point, path); n gets the number of runs. */
static double med(const char *kind, const char *point, const char *path, const char *key, int *n) {
  double v[MAXREC];
  int k = 0;
  char a[64], b[64], c[64];
  for (int i = 0; i < nrec; i++) {
    jgets(recs[i], "kind", a, sizeof(a));
    jgets(recs[i], "point", b, sizeof(b));
    jgets(recs[i], "path", c, sizeof(c));
    if (strcmp(a, kind) || strcmp(b, point) || strcmp(c, path)) continue;
    double x = jget(recs[i], key);
    if (x == x) v[k++] = x;
  }
  if (n) *n = k;
  if (!k) return __builtin_nan("");
  qsort(v, k, sizeof(double), cmp_d);
  return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

static double sum(const char *kind, const char *point, const char *path, const char *key) {
  double s = 0;
  char a[64], b[64], c[64];
  for (int i = 0; i < nrec; i++) {
    jgets(recs[i], "kind", a, sizeof(a));
    jgets(recs[i], "point", b, sizeof(b));
    jgets(recs[i], "path", c, sizeof(c));
    if (!strcmp(a, kind) && !strcmp(b, point) && !strcmp(c, path)) {
      double x = jget(recs[i], key);
      if (x == x) s += x;
    }
  }
  return s;
}

/* The distinct points of `kind`, in order of first appearance. */
static int points(const char *kind, char pts[][64], int cap) {
  int n = 0;
  char a[64], b[64];
  for (int i = 0; i < nrec; i++) {
    jgets(recs[i], "kind", a, sizeof(a));
    if (strcmp(a, kind)) continue;
    jgets(recs[i], "point", b, sizeof(b));
    int seen = 0;
    for (int j = 0; j < n; j++) seen |= !strcmp(pts[j], b);
    if (!seen && n < cap) snprintf(pts[n++], 64, "%s", b);
  }
  return n;
}

static const char *verdict(int met) { return met ? "met" : "NOT met"; }

static int cmd_report(const char *file) {
  FILE *f = fopen(file, "r");
  if (!f) die("cannot read %s", file);
  char line[8192];
  while (nrec < MAXREC && fgets(line, sizeof(line), f))
    if (line[0] == '{') recs[nrec++] = strdup(line);
  fclose(f);
  char pts[64][64];
  int np, n;

  np = points("tput", pts, 64);
  if (np) {
    printf("\nThroughput: %s datagrams in flight in total, medians of runs (rt/s = round trips per second; "
           "Mbit/s = payload one way;\nCPU us/rt = the outside's + the inside's CPU time per round trip)\n", "32");
    printf("%-12s %4s %12s %12s %7s %9s %11s %10s %13s  %s\n", "point", "runs", "direct rt/s", "tunnel rt/s", "ratio",
           "tun Mbit/s", "tun lost", "tun p50 us", "CPU us/rt o+i", "target");
    for (int i = 0; i < np; i++) {
      double d = med("tput", pts[i], "direct", "rt_per_s", NULL);
      double t = med("tput", pts[i], "tunnel", "rt_per_s", &n);
      double mb = med("tput", pts[i], "tunnel", "mbit_s", NULL);
      double lost = sum("tput", pts[i], "tunnel", "lost"), okk = sum("tput", pts[i], "tunnel", "ok");
      double p50 = med("tput", pts[i], "tunnel", "rtt_p50_us", NULL);
      double co = med("tput", pts[i], "tunnel", "out_cpu_us_per_rt", NULL);
      double ci = med("tput", pts[i], "tunnel", "in_cpu_us_per_rt", NULL);
      char cpu[32];
      snprintf(cpu, sizeof(cpu), "%.1f+%.1f", co, ci);
      int clients = atoi(strchr(pts[i], ' ') ? strchr(pts[i], ' ') + 1 : "0");
      char tgt[80] = "-";
      double r = t / d;
      if (clients == 16) snprintf(tgt, sizeof(tgt), ">=0.33: %s", verdict(r >= 0.33));
      if (clients == 200) snprintf(tgt, sizeof(tgt), ">=0.30, no loss: %s", verdict(r >= 0.30 && lost == 0));
      char losts[32];
      snprintf(losts, sizeof(losts), "%.0f/%.0f", lost, lost + okk);
      printf("%-12s %4d %12.0f %12.0f %7.3f %9.1f %11s %10.0f %13s  %s\n", pts[i], n, d, t, r, mb, losts, p50, cpu,
             tgt);
    }
  }

  np = points("lat", pts, 64);
  if (np) {
    printf("\nLatency at a fixed rate (2,000 datagrams/s), round trip in microseconds, medians of runs\n");
    printf("%-12s %4s %21s %21s %9s %9s %9s  %s\n", "point", "runs", "direct p50/p99/p99.9", "tunnel p50/p99/p99.9",
           "add p50", "add p99", "tun lost", "target (+40 p50, +150 p99)");
    for (int i = 0; i < np; i++) {
      double d50 = med("lat", pts[i], "direct", "p50_us", NULL), d99 = med("lat", pts[i], "direct", "p99_us", NULL);
      double d999 = med("lat", pts[i], "direct", "p999_us", NULL);
      double t50 = med("lat", pts[i], "tunnel", "p50_us", &n), t99 = med("lat", pts[i], "tunnel", "p99_us", NULL);
      double t999 = med("lat", pts[i], "tunnel", "p999_us", NULL);
      double lost = sum("lat", pts[i], "tunnel", "lost");
      char ds[40], ts[40];
      snprintf(ds, sizeof(ds), "%.0f/%.0f/%.0f", d50, d99, d999);
      snprintf(ts, sizeof(ts), "%.0f/%.0f/%.0f", t50, t99, t999);
      printf("%-12s %4d %21s %21s %9.0f %9.0f %9.0f  %s\n", pts[i], n, ds, ts, t50 - d50, t99 - d99, lost,
             verdict(t50 - d50 <= 40 && t99 - d99 <= 150));
    }
  }

  np = points("setup", pts, 64);
  if (np) {
    printf("\nSet-up: N clients send their first datagram at the same instant to a freshly started pair\n");
    printf("%-12s %4s %16s %16s %16s %14s  %s\n", "point", "runs", "tun all served", "tun p50 served", "direct all",
           "tun 1st lost", "target (200c: 100 ms, none lost)");
    for (int i = 0; i < np; i++) {
      double all = med("setup", pts[i], "tunnel", "all_served_ms", &n);
      double p50 = med("setup", pts[i], "tunnel", "p50_served_ms", NULL);
      double dall = med("setup", pts[i], "direct", "all_served_ms", NULL);
      double lost = sum("setup", pts[i], "tunnel", "first_lost");
      int clients = atoi(pts[i]);
      char tgt[40] = "-";
      if (clients == 200) snprintf(tgt, sizeof(tgt), "%s", verdict(all >= 0 && all <= 100 && lost == 0));
      printf("%-12s %4d %13.1f ms %13.1f ms %13.2f ms %14.0f  %s\n", pts[i], n, all, p50, dall, lost, tgt);
      /* The same pair a few seconds later: its JIT has compiled the binding path, and its pool of
         spares has grown with the first burst. */
      int nw;
      double wall = med("setup", pts[i], "tunnel-warm", "all_served_ms", &nw);
      if (nw) {
        double wp50 = med("setup", pts[i], "tunnel-warm", "p50_served_ms", NULL);
        double wlost = sum("setup", pts[i], "tunnel-warm", "first_lost");
        char wpt[40];
        snprintf(wpt, sizeof(wpt), "%.30s again", pts[i]);
        printf("%-12s %4d %13.1f ms %13.1f ms %16s %14.0f  %s\n", wpt, nw, wall, wp50, "", wlost,
               clients == 200 ? verdict(wall >= 0 && wall <= 100 && wlost == 0) : "-");
      }
    }
    for (int i = 0; i < np; i++) {
      int ne;
      double eall = med("setup", pts[i], "tunnel-early", "all_served_ms", &ne);
      if (!ne) continue;
      double ep50 = med("setup", pts[i], "tunnel-early", "p50_served_ms", NULL);
      double elost = sum("setup", pts[i], "tunnel-early", "first_lost");
      char ept[40];
      snprintf(ept, sizeof(ept), "%.30s early", pts[i]);
      printf("%-12s %4d %13.1f ms %13.1f ms %16s %14.0f  %s\n", ept, ne, eall, ep50, "", elost, "-");
    }
    printf("(the first burst comes 1 s after both agents of the fresh pair have logged event=started: a cold JIT;\n"
           " \"again\": N other new clients at once on the same pair 2 s later;\n"
           " \"early\", where present: N new clients 1 s after the first echo of another fresh pair)\n");
  }

  int nr;
  double ready = med("ready", "launch", "tunnel", "ready_ms", &nr);
  if (nr) {
    printf("\nLaunch (java -jar of both agents) until both agents were ready: median %.0f ms of %d\n", ready, nr);
  }

  /* "tunnel": as configured (with class data sharing unless bench/run.sh ran with CDS=0);
     "tunnel-nocds": the launch that recorded the archives. */
  const char *launches[2][2] = {{"tunnel", ""}, {"tunnel-nocds", " without class data sharing"}};
  for (int k = 0; k < 2; k++) {
    double launch = med("first", "launch", launches[k][0], "launch_to_echo_ms", &n);
    if (!n) continue;
    char tag[48];
    snprintf(tag, sizeof(tag), "\"path\":\"%s\"", launches[k][0]);
    double lo = 1e18, hi = 0;
    for (int i = 0; i < nrec; i++) {
      if (!strstr(recs[i], "\"kind\":\"first\"") || !strstr(recs[i], tag)) continue;
      double x = jget(recs[i], "launch_to_echo_ms");
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    printf("%sLaunch (java -jar of both agents) to the first client echo%s: median %.0f ms of %d (%.0f..%.0f)"
           "  target 1500 ms: %s\n", k ? "" : "\n", launches[k][1], launch, n, lo, hi, verdict(launch <= 1500));
  }

  np = points("scale", pts, 64);
  for (int i = 0; i < np; i++) {
    const char *p = "tunnel";
    double tun = med("scale", pts[i], p, "tunnels", &n);
    printf("\nScale: %s held open (runs %d)\n", pts[i], n);
    double setup = med("scale", pts[i], p, "setup_s", NULL);
    printf("  set-up of all: %.2f s (unserved %.0f; window %.0f)  target 10 s: %s\n", setup,
           med("scale", pts[i], p, "setup_unserved", NULL), med("scale", pts[i], p, "setup_window", NULL),
           verdict(setup <= 10 && med("scale", pts[i], p, "setup_unserved", NULL) == 0));
    printf("  light traffic lost %.0f of %.0f; still answering after the idle period: %.0f of %.0f\n",
           med("scale", pts[i], p, "light_lost", NULL), med("scale", pts[i], p, "light_sent", NULL),
           med("scale", pts[i], p, "alive_after_idle", NULL), tun);
    printf("  idle CPU %% of a core over two periods of idleness in a row, in all / without the JIT compiler threads\n");
    printf("  %-8s %10s %12s %10s %12s %14s %14s %14s  %s\n", "agent", "heap MB", "heap/tunnel", "RSS MB", "RSS/tunnel",
           "idle 1st", "idle 2nd", "no tunnels", "target (16 KB heap, 2 % CPU)");
    static const char *who[] = {"out", "in", "in2", "in3"};
    for (int w = 0; w < 4; w++) {
      char k1[48];
      snprintf(k1, sizeof(k1), "%s_heap_kb", who[w]);
      int m;
      double heap = med("scale", pts[i], p, k1, &m);
      if (!m) continue;
#define M(suffix) (snprintf(k1, sizeof(k1), "%s_" suffix, who[w]), med("scale", pts[i], p, k1, NULL))
      double hpt = M("heap_per_tunnel_b"), rss = M("rss_kb"), rpt = M("rss_per_tunnel_b");
      double cpu = M("cpu_idle_pct"), cpu0 = M("cpu_idle_base_pct"), cpu2 = M("cpu_idle2_pct");
      double nj = M("cpu_idle_nojit_pct"), nj0 = M("cpu_idle_base_nojit_pct"), nj2 = M("cpu_idle2_nojit_pct");
#undef M
      char c1[32], c2[32], c0[32];
      snprintf(c1, sizeof(c1), "%.2f / %.2f", cpu, nj);
      snprintf(c2, sizeof(c2), "%.2f / %.2f", cpu2, nj2);
      snprintf(c0, sizeof(c0), "%.2f / %.2f", cpu0, nj0);
      char v[64];
      snprintf(v, sizeof(v), "heap %s, CPU %s", verdict(hpt <= 16 * 1024), verdict(cpu2 < 2));
      printf("  %-8s %10.1f %9.1f KB %10.1f %9.1f KB %14s %14s %14s  %s\n", w == 0 ? "outside" : "inside",
             heap / 1024, hpt / 1024, rss / 1024, rpt / 1024, c1, c2, c0, v);
    }
  }
  printf("\n");
  return 0;
}

/* ---- main ------------------------------------------------------------------------------------ */

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: udpbench echo|tput|lat|setup|first|scale [--option value ...] | report FILE\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  const char *cmd = argv[1];
  if (!strcmp(cmd, "report")) {
    if (argc != 3) die("usage: udpbench report RESULTS.jsonl");
    return cmd_report(argv[2]);
  }
  parse_opts(argc, argv);
  if (!strcmp(cmd, "echo")) return cmd_echo();
  if (!strcmp(cmd, "tput")) return cmd_tput();
  if (!strcmp(cmd, "lat")) return cmd_lat();
  if (!strcmp(cmd, "setup")) return cmd_setup();
  if (!strcmp(cmd, "first")) return cmd_first();
  if (!strcmp(cmd, "scale")) return cmd_scale();
  die("unknown command %s", cmd);
  return 2;
}
