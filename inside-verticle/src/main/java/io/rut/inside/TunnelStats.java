package io.rut.inside;

/** What one tunnel has relayed, and when it last did: the idle timeout and the status page read it. */
public final class TunnelStats {

  private final long opened;
  private long lastData;
  private long toServiceDatagrams;
  private long toServiceBytes;
  private long fromServiceDatagrams;
  private long fromServiceBytes;

  TunnelStats(long now) {
    this.opened = now;
    this.lastData = now;
  }

  void toService(int bytes, long now) {
    toServiceDatagrams++;
    toServiceBytes += bytes;
    lastData = now;
  }

  void fromService(int bytes, long now) {
    fromServiceDatagrams++;
    fromServiceBytes += bytes;
    lastData = now;
  }

  void touch(long now) {
    lastData = now;
  }

  public long opened() {
    return opened;
  }

  public long lastData() {
    return lastData;
  }

  public long toServiceDatagrams() {
    return toServiceDatagrams;
  }

  public long toServiceBytes() {
    return toServiceBytes;
  }

  public long fromServiceDatagrams() {
    return fromServiceDatagrams;
  }

  public long fromServiceBytes() {
    return fromServiceBytes;
  }
}
