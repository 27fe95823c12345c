package io.rut.control;

import io.netty.buffer.ByteBuf;
import io.rut.metrics.DropReason;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.ControlCodec;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MalformedControlException;
import io.rut.protocol.MessageCounter;
import io.rut.protocol.ServiceId;
import io.rut.protocol.ServiceKeys;

/**
 * One service's control channel, the same for both agents: tells control messages from data
 * (PROTOCOL.md section 2), verifies and decodes them, checks replay, and encodes what the agent
 * sends with its one message counter. Counts every message in and out and every drop.
 *
 * <p>Holds MAC state and a scratch buffer: an instance belongs to one event loop.
 */
public final class ControlChannel {

  /** What {@link #read} returns for a control message that was dropped (and counted). */
  public static final ControlMessage DROPPED = ControlMessage.hello(0, 1, 0, false);

  private final long serviceId;
  private final MessageCounter counter;
  private final ServiceMeters meters;
  private final byte[] scratch = new byte[ControlCodec.SIZE];
  private ControlCodec codec;
  private String lastDropped;
  private DropReason lastDropReason;

  public ControlChannel(String serviceName, ServiceKeys keys, MessageCounter counter, ServiceMeters meters) {
    this.serviceId = ServiceId.of(serviceName);
    this.counter = counter;
    this.meters = meters;
    this.codec = new ControlCodec(keys);
  }

  /** Takes reloaded keys: the first signs from now on, all verify. */
  public void rekey(ServiceKeys keys) {
    codec = new ControlCodec(keys);
  }

  public long serviceId() {
    return serviceId;
  }

  /** The agent's next message counter. */
  public long next() {
    return counter.next();
  }

  /**
   * Size and magic {@code RUT}: the only datagrams that {@link #read} looks at, and never data
   * (PROTOCOL.md section 2, revision 1.1). Copies nothing.
   */
  public static boolean mayBeControl(ByteBuf b) {
    int i = b.readerIndex();
    return b.readableBytes() == ControlCodec.SIZE && b.getByte(i) == 0x52 && b.getByte(i + 1) == 0x55
        && b.getByte(i + 2) == 0x54;
  }

  /**
   * Reads a datagram that may be a control message.
   *
   * @return null if it is data; {@link #DROPPED} if it is a foreign or malformed control message
   *     (counted, see {@link #lastDropReason}); else the message, which may be another service's
   *     (see {@link #ours})
   */
  public ControlMessage read(ByteBuf data) {
    if (!mayBeControl(data)) {
      return null;
    }
    int i = data.readerIndex();
    if (data.getByte(i + 3) != 0x01) {
      return dropped(DropReason.BAD_VERSION, "version " + (data.getByte(i + 3) & 0xff));
    }
    data.getBytes(i, scratch);
    ControlMessage m;
    try {
      m = codec.decode(scratch);
    } catch (MalformedControlException e) {
      return dropped(DropReason.MALFORMED_CONTROL, e.getMessage());
    }
    if (m == null) {
      return dropped(DropReason.BAD_TAG, "tag fails under every key");
    }
    meters.controlIn(m.type());
    if (m.serviceId() != serviceId) {
      meters.drop(DropReason.WRONG_SERVICE);
    }
    return m;
  }

  private ControlMessage dropped(DropReason reason, String detail) {
    meters.drop(reason);
    lastDropReason = reason;
    lastDropped = detail;
    return DROPPED;
  }

  /** Why the last {@link #DROPPED} was dropped. */
  public DropReason lastDropReason() {
    return lastDropReason;
  }

  /** The last {@link #DROPPED} in words, for a log line. */
  public String lastDropped() {
    return lastDropped;
  }

  /** Whether {@code m} is this service's (another's was counted as {@code wrong_service}). */
  public boolean ours(ControlMessage m) {
    return m.serviceId() == serviceId;
  }

  /** Whether {@code m}'s counter is above {@code highest}; a replay is counted. */
  public boolean fresh(ControlMessage m, long highest) {
    if (m.counter() > highest) {
      return true;
    }
    meters.drop(DropReason.REPLAY);
    return false;
  }

  /** The wire bytes of {@code m}, signed with the first key; counted as sent. */
  public byte[] encode(ControlMessage m) {
    meters.controlOut(m.type());
    return codec.encode(m);
  }
}
