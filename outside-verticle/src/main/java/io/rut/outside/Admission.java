package io.rut.outside;

import io.rut.config.Cidr;
import io.rut.config.OutsideServiceConfig;
import io.rut.metrics.DropReason;
import io.rut.protocol.WireGuardInitiation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.net.InetSocketAddress;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Who may bind a spare tunnel of one service (PROTOCOL.md section 6), cheapest test first: the
 * allow and deny lists, the WireGuard handshake check, the number of tunnels the source already
 * holds or waits for (per IPv4 address, per IPv6 /64), and the rate of new bindings per source and
 * per service; and who holds more than a fair share when tunnels run out. Also limits the rate of CHALLENGEs per source. Everything kept per source is bounded.
 * Lives on its relay's event loop.
 */
final class Admission {

  /** Sources whose rates are tracked at most; beyond, the least recently seen are forgotten. */
  static final int MAX_TRACKED_SOURCES = 65_536;

  private OutsideServiceConfig config;
  private WireGuardInitiation wireguard;
  private final TokenBuckets<SourceKey> perSource;
  private final TokenBuckets<Boolean> perService;
  private final TokenBuckets<SourceKey> challenges;
  /** Tunnels bound to, or clients waiting from, each source; only admitted sources are here. */
  private final Map<SourceKey, int[]> held = new HashMap<>();
  /**
   * Clients whose tunnel closed (an inside restart, an uplink change): they proved they know the
   * WireGuard server's key from this very address, and go on sending transport data rather than a
   * new handshake; for a WireGuard session's lifetime they need not prove it again.
   */
  private final Tombstones<InetSocketAddress> provenClients = new Tombstones<>(MAX_TRACKED_SOURCES);
  static final long PROVEN_NANOS = 180_000_000_000L;

  Admission(OutsideServiceConfig config) {
    perSource = new TokenBuckets<>(MAX_TRACKED_SOURCES, 1, 1);
    perService = new TokenBuckets<>(1, 1, 1);
    challenges = new TokenBuckets<>(MAX_TRACKED_SOURCES, 1, 1);
    update(config);
  }

  void update(OutsideServiceConfig next) {
    config = next;
    wireguard = next.wireguardPublicKey() == null ? null
        : new WireGuardInitiation(Base64.getDecoder().decode(next.wireguardPublicKey()));
    perSource.setRate(next.newClientsPerSecondPerIp(), 2 * next.newClientsPerSecondPerIp());
    perService.setRate(next.newClientsPerSecond(), 2 * next.newClientsPerSecond());
    challenges.setRate(next.challengesPerSecondPerIp(), 2 * next.challengesPerSecondPerIp());
  }

  /**
   * Decides on a new client's first datagram.
   *
   * @return null if admitted (the source then holds one more), else why not
   */
  DropReason admit(InetSocketAddress from, ByteBuf first, long now) {
    // The shape of a WireGuard initiation costs nothing to check: floods end here, before any
    // parsing of the source address.
    boolean proven = wireguard != null && provenClients.size() > 0 && provenClients.contains(from, now, now);
    if (wireguard != null && !proven && (first.readableBytes() != WireGuardInitiation.SIZE
        || first.getByte(first.readerIndex()) != 1)) {
      return DropReason.NOT_WIREGUARD;
    }
    byte[] ip = from.getAddress().getAddress();
    if (!config.allow().isEmpty() && config.allow().stream().noneMatch(c -> c.contains(ip))) {
      return DropReason.NOT_ALLOWED;
    }
    for (Cidr c : config.deny()) {
      if (c.contains(ip)) {
        return DropReason.NOT_ALLOWED;
      }
    }
    if (wireguard != null && !proven && !wireguard.verify(ByteBufUtil.getBytes(first))) {
      return DropReason.NOT_WIREGUARD;
    }
    SourceKey source = SourceKey.of(ip);
    int[] count = held.get(source);
    int holds = count == null ? 0 : count[0];
    if (holds >= config.maxTunnelsPerIp()) {
      return DropReason.PER_IP_LIMIT;
    }
    if (!perSource.take(source, now) || !perService.take(Boolean.TRUE, now)) {
      return DropReason.RATE_LIMITED;
    }
    hold(ip);
    return null;
  }

  /**
   * The source holding more than its fair share of {@code maxTunnels} (split evenly among the
   * sources that hold tunnels) the most, if it is not {@code newcomer}'s: the one that should
   * make room for a newcomer when the tunnels have run out. Null if none does.
   */
  SourceKey overFairShare(InetSocketAddress newcomer) {
    SourceKey mine = SourceKey.of(newcomer.getAddress().getAddress());
    int fairShare = Math.max(1, config.maxTunnels() / Math.max(1, held.size()));
    SourceKey heaviest = null;
    int most = fairShare;
    for (Map.Entry<SourceKey, int[]> e : held.entrySet()) {
      if (e.getValue()[0] > most && !e.getKey().equals(mine)) {
        heaviest = e.getKey();
        most = e.getValue()[0];
      }
    }
    return heaviest;
  }

  /** Counts a tunnel for {@code ip} without a check (a binding restored after an outside restart). */
  void hold(byte[] ip) {
    held.computeIfAbsent(SourceKey.of(ip), k -> new int[1])[0]++;
  }

  /** The source's tunnel closed, or it stopped waiting. */
  void release(byte[] ip) {
    SourceKey source = SourceKey.of(ip);
    int[] count = held.get(source);
    if (count != null && --count[0] <= 0) {
      held.remove(source);
    }
  }

  /** {@code client}'s tunnel closed; it was admitted, so it is spared the handshake check for a while. */
  void rememberClient(InetSocketAddress client, long now) {
    if (wireguard != null) {
      provenClients.add(client, now + PROVEN_NANOS);
    }
  }

  void expire(long now) {
    provenClients.expire(now);
  }

  boolean allowChallenge(byte[] ip, long now) {
    return challenges.take(SourceKey.of(ip), now);
  }
}
