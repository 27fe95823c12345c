package io.rut.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.rut.metrics.DropReason;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.ControlCodec;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MessageCounter;
import io.rut.protocol.MessageType;
import io.rut.protocol.ServiceId;
import io.rut.protocol.ServiceKeys;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlChannelTest {

  private static final String KEY = key((byte) 1);
  private static final String OTHER_KEY = key((byte) 2);
  private final ServiceMeters meters = new ServiceMeters(new SimpleMeterRegistry(), "test", "svc");
  private final ControlChannel channel = new ControlChannel("svc", keys("svc", KEY), new MessageCounter(100), meters);

  private static String key(byte fill) {
    byte[] raw = new byte[32];
    Arrays.fill(raw, fill);
    return "base64:" + Base64.getEncoder().encodeToString(raw);
  }

  private static ServiceKeys keys(String service, String... secrets) {
    return ServiceKeys.derive(service, List.of(secrets));
  }

  private static byte[] keepalive(String service, String secret, long counter) {
    return new ControlCodec(keys(service, secret)).encode(
        ControlMessage.keepalive(ServiceId.of(service), 7, counter, null));
  }

  private ControlMessage read(byte[] d) {
    return channel.read(Unpooled.wrappedBuffer(d));
  }

  @Test
  void aValidMessageIsReadAndCounted() {
    ControlMessage m = read(keepalive("svc", KEY, 5));
    assertEquals(MessageType.KEEPALIVE, m.type());
    assertTrue(channel.ours(m));
    assertEquals(0, meters.drops(DropReason.BAD_TAG));
  }

  @Test
  void anythingWithoutTheMagicOrOfAnotherSizeIsData() {
    byte[] good = keepalive("svc", KEY, 5);
    byte[] noMagic = good.clone();
    noMagic[0] = 'X';
    assertNull(read(noMagic));
    assertNull(read(Arrays.copyOf(good, 87)));
    assertNull(read(Arrays.copyOf(good, 89)));
    assertNull(read(new byte[0]));
  }

  @Test
  void aForeignMessageIsDroppedAsBadTagNeverData() {
    assertSame(ControlChannel.DROPPED, read(keepalive("svc", OTHER_KEY, 5)), "another key");
    byte[] flipped = keepalive("svc", KEY, 5);
    flipped[80] ^= 1;
    assertSame(ControlChannel.DROPPED, read(flipped), "a forged tag");
    assertEquals(2, meters.drops(DropReason.BAD_TAG));
    assertEquals(DropReason.BAD_TAG, channel.lastDropReason());
  }

  @Test
  void aPassphraseUnderAnotherServiceNameIsAnotherKey() {
    ControlChannel svc = new ControlChannel("svc", keys("svc", "one passphrase"), new MessageCounter(1), meters);
    byte[] d = keepalive("other-service", "one passphrase", 5);
    assertSame(ControlChannel.DROPPED, svc.read(Unpooled.wrappedBuffer(d)));
    assertEquals(1, meters.drops(DropReason.BAD_TAG));
  }

  @Test
  void anotherVersionIsDroppedAsBadVersionNeverData() {
    byte[] v2 = keepalive("svc", KEY, 5);
    v2[3] = 2;
    assertSame(ControlChannel.DROPPED, read(v2));
    assertEquals(1, meters.drops(DropReason.BAD_VERSION));
    assertEquals(0, meters.drops(DropReason.BAD_TAG));
  }

  @Test
  void aSignedMessageThatBreaksTheRulesIsMalformed() throws Exception {
    byte[] d = keepalive("svc", KEY, 5);
    d[6] = 1; // reserved byte
    // re-sign so that only the content is wrong
    byte[] body = Arrays.copyOf(d, 72);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(keys("svc", KEY).key(0), "HmacSHA256"));
    byte[] tag = mac.doFinal(body);
    System.arraycopy(tag, 0, d, 72, 16);
    assertSame(ControlChannel.DROPPED, read(d));
    assertEquals(1, meters.drops(DropReason.MALFORMED_CONTROL));
  }

  @Test
  void anotherServicesMessageUnderAKeyWeHoldIsCountedAndNotOurs() {
    ControlChannel shared = new ControlChannel("svc", keys("svc", KEY), new MessageCounter(1), meters);
    byte[] d = new ControlCodec(keys("svc", KEY)).encode(ControlMessage.keepalive(ServiceId.of("other"), 7, 5, null));
    ControlMessage m = shared.read(Unpooled.wrappedBuffer(d));
    assertNotSame(ControlChannel.DROPPED, m);
    assertFalse(shared.ours(m));
    assertEquals(1, meters.drops(DropReason.WRONG_SERVICE));
  }

  @Test
  void aCounterNotAboveTheHighestIsAReplay() {
    ControlMessage m = read(keepalive("svc", KEY, 5));
    assertTrue(channel.fresh(m, 4));
    assertFalse(channel.fresh(m, 5));
    assertFalse(channel.fresh(m, 6));
    assertEquals(2, meters.drops(DropReason.REPLAY));
  }

  @Test
  void aRotatedKeySignsWhileTheOldStillVerifies() {
    channel.rekey(keys("svc", OTHER_KEY, KEY));
    assertEquals(MessageType.KEEPALIVE, read(keepalive("svc", KEY, 5)).type(), "the old key still verifies");
    byte[] sent = channel.encode(ControlMessage.hello(channel.serviceId(), 9, channel.next(), true));
    assertEquals(MessageType.HELLO, new ControlCodec(keys("svc", OTHER_KEY)).decode(sent).type(), "the new key signs");
    assertNull(new ControlCodec(keys("svc", KEY)).decode(sent));
    assertEquals(1, meters.sent(MessageType.HELLO));
  }

  @Test
  void countersComeFromTheAgentsOneCounter() {
    assertEquals(101, channel.next());
    assertEquals(102, channel.next());
  }
}
