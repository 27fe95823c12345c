package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.metrics.DropReason;
import io.rut.protocol.ControlCodec;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MessageType;
import io.rut.protocol.ServiceKeys;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What strangers and replays can do to the inside agent, and how much an unknown source gets back. */
class InsideSecurityTest {

  private Rig rig;

  @AfterEach
  void tearDown() {
    if (rig != null) {
      rig.close();
    }
  }

  @Test
  void datagramsFromStrangersToATunnelSocketNeverReachTheService() {
    rig = Rig.standard(new JsonObject(), new JsonObject());
    int tunnelPort = rig.insideStatus().getJsonArray("list").getJsonObject(0).getInteger("tunnelPort");
    try (TestClient stranger = new TestClient("127.0.0.1", new InetSocketAddress("127.0.0.1", tunnelPort))) {
      for (int i = 0; i < 20; i++) {
        stranger.send(("junk " + i).getBytes());
      }
      assertTrue(stranger.receive(300) == null, "strangers get nothing back");
    }
    assertEquals(0, rig.echo.echoed(), "nothing reached the service");
    assertEquals(20, rig.inside.meters(Rig.SERVICE).drops(DropReason.STRANGER));
  }

  @Test
  void replayedAcknowledgementsAndBindsFromTheOutsideAreDropped() {
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(Rig.outsideService("[::]:0"));
    RebindingProxy wire = new RebindingProxy(rig.vertx, rig.outsidePort());
    int wirePort = wire.start();
    rig.startInside(Rig.insideService("127.0.0.1:" + wirePort, "127.0.0.1:" + rig.echo.port()));
    rig.awaitSpares(2);
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      byte[] hello = "hello".getBytes();
      assertArrayEquals(hello, client.roundTrip(hello, 2000));
    }
    ControlCodec codec = new ControlCodec(ServiceKeys.derive(Rig.SERVICE, List.of(Rig.SECRET)));
    int replayed = 0;
    for (Map.Entry<SocketAddress, Buffer> sent : wire.capturedDownstream) {
      byte[] bytes = sent.getValue().getBytes();
      ControlMessage m = ControlCodec.looksLikeControl(bytes) ? codec.decode(bytes) : null;
      if (m != null && (m.type() == MessageType.ACK || m.type() == MessageType.BIND)) {
        wire.injectDownstream(sent.getKey(), sent.getValue());
        replayed++;
      }
    }
    assertTrue(replayed >= 3, "captured ACKs and a BIND: " + replayed);
    double drops = 0;
    long deadline = System.currentTimeMillis() + 2000;
    while (drops < replayed && System.currentTimeMillis() < deadline) {
      Rig.sleep(20);
      drops = rig.inside.meters(Rig.SERVICE).drops(DropReason.REPLAY);
    }
    assertEquals(replayed, drops, "every replayed ACK and BIND was dropped as a replay");
    assertEquals(1, rig.echo.peers().size(), "no tunnel was bound by a replayed BIND");
  }

  @Test
  void unknownSourcesNeverGetMoreBytesBackThanTheySent() {
    rig = Rig.standard(new JsonObject(), new JsonObject());
    Random random = new Random(7);
    long sent = 0;
    long received = 0;
    try (TestClient stranger = TestClient.to(rig.outsidePort())) {
      for (int i = 0; i < 200; i++) {
        byte[] junk = new byte[i % 4 == 0 ? 88 : 1 + random.nextInt(1400)];
        random.nextBytes(junk);
        if (junk.length == 88) {
          junk[0] = 0x52; // looks like a control message, but its tag is random
          junk[1] = 0x55;
          junk[2] = 0x54;
          junk[3] = 0x01;
        }
        stranger.send(junk);
        sent += junk.length;
      }
      byte[] back;
      while ((back = stranger.receive(500)) != null) {
        received += back.length;
      }
    }
    System.out.printf("unknown source: sent %d bytes, got %d back%n", sent, received);
    assertTrue(received <= sent, "amplification at most 1: sent " + sent + ", got " + received);
  }
}
