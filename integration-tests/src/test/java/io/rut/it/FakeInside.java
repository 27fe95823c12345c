package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.rut.protocol.ControlCodec;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MessageCounter;
import io.rut.protocol.MessageType;
import io.rut.protocol.ServiceId;
import io.rut.protocol.ServiceKeys;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A scripted inside tunnel: one UDP socket that speaks the control protocol step by step, so tests
 * can drive the outside agent through exact sequences and look at every byte it answers.
 */
final class FakeInside implements AutoCloseable {

  static final MessageCounter COUNTER = new MessageCounter();

  final TestClient udp;
  final ControlCodec codec;
  final long serviceId;

  FakeInside(int outsidePort) {
    this(outsidePort, Rig.SECRET, Rig.SERVICE);
  }

  FakeInside(int outsidePort, String secret, String serviceName) {
    this.udp = new TestClient("127.0.0.1", new InetSocketAddress("127.0.0.1", outsidePort));
    this.codec = new ControlCodec(ServiceKeys.derive(Rig.SERVICE, List.of(secret)));
    this.serviceId = ServiceId.of(serviceName);
  }

  byte[] send(ControlMessage m) {
    byte[] bytes = codec.encode(m);
    udp.send(bytes);
    return bytes;
  }

  /** The next datagram, decoded if it is a control message of this service (else null). */
  ControlMessage nextControl(long timeoutMs) {
    byte[] d = udp.receive(timeoutMs);
    return d == null ? null : codec.decode(d);
  }

  ControlMessage expect(MessageType type, long timeoutMs) {
    ControlMessage m = nextControl(timeoutMs);
    assertNotNull(m, "expected " + type);
    assertEquals(type, m.type());
    return m;
  }

  /** HELLO, CHALLENGE, AUTH, ACK: registers {@code tunnelId} carrying {@code client} (null: spare). */
  ControlMessage register(long tunnelId, InetSocketAddress client) {
    send(ControlMessage.hello(serviceId, tunnelId, COUNTER.next(), client == null));
    ControlMessage challenge = expect(MessageType.CHALLENGE, 2000);
    assertEquals(tunnelId, challenge.tunnelId());
    send(ControlMessage.auth(serviceId, tunnelId, COUNTER.next(), challenge.cookie(), client));
    return expect(MessageType.ACK, 2000);
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", udp.port());
  }

  @Override
  public void close() {
    udp.close();
  }
}
