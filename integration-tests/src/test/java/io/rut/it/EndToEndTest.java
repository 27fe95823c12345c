package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.metrics.Direction;
import io.rut.metrics.DropReason;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Client -> outside -> inside -> echo service and back, through real agents on loopback. */
@ExtendWith(VertxExtension.class)
class EndToEndTest {

  private Rig rig;

  @AfterEach
  void tearDown() {
    if (rig != null) {
      rig.close();
    }
  }

  @Test
  void oneClientTalksThroughTheTunnel() {
    rig = Rig.standard(new JsonObject(), new JsonObject());
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      for (int i = 0; i < 20; i++) {
        byte[] msg = ("datagram " + i).getBytes();
        assertArrayEquals(msg, client.roundTrip(msg, 2000), "echo of datagram " + i);
      }
    }
    assertEquals(1, rig.echo.peers().size(), "the service sees one peer for one client");
    assertEquals(20, rig.outside.meters(Rig.SERVICE).forwarded(Direction.CLIENT_TO_TUNNEL));
    assertEquals(20, rig.outside.meters(Rig.SERVICE).forwarded(Direction.TUNNEL_TO_CLIENT));
    assertEquals(20, rig.inside.meters(Rig.SERVICE).forwarded(Direction.TUNNEL_TO_SERVICE));
    assertEquals(20, rig.inside.meters(Rig.SERVICE).forwarded(Direction.SERVICE_TO_TUNNEL));
  }

  @Test
  void fiftyClientsArrivingAtOnceLoseNoFirstDatagram(VertxTestContext test) throws Exception {
    rig = Rig.standard(new JsonObject(), new JsonObject());
    int clients = 50;
    int port = rig.outsidePort();
    List<DatagramSocket> sockets = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      DatagramSocket s = rig.vertx.createDatagramSocket(new DatagramSocketOptions());
      Rig.await(s.listen(0, "127.0.0.1"));
      sockets.add(s);
    }
    Checkpoint echoed = test.checkpoint(clients);
    long start = System.nanoTime();
    for (int i = 0; i < clients; i++) {
      String expected = "first datagram of client " + i;
      DatagramSocket s = sockets.get(i);
      s.handler(p -> test.verify(() -> {
        assertEquals(expected, p.data().toString());
        echoed.flag();
      }));
    }
    // Every client sends exactly one datagram, all at the same instant: none may be lost.
    for (int i = 0; i < clients; i++) {
      sockets.get(i).send("first datagram of client " + i, port, "127.0.0.1");
    }
    assertTrue(test.awaitCompletion(10, TimeUnit.SECONDS), "every first datagram echoed");
    System.out.printf("50 simultaneous clients served in %.1f ms%n", (System.nanoTime() - start) / 1e6);
    assertEquals(clients, rig.echo.peers().size(), "every client has its own inside socket");
    assertEquals(0, rig.outside.meters(Rig.SERVICE).drops(DropReason.QUEUE_EXPIRED));
    assertEquals(0, rig.outside.meters(Rig.SERVICE).drops(DropReason.QUEUE_FULL));
    if (test.failed()) {
      throw new AssertionError(test.causeOfFailure());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 1400, 9000, 65507})
  void payloadsPassIntact(int size) {
    rig = Rig.standard(new JsonObject(), new JsonObject());
    byte[] payload = new byte[size];
    new Random(size).nextBytes(payload);
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      byte[] back = client.roundTrip(payload, 3000);
      assertNotNull(back, size + "-byte datagram came back");
      assertArrayEquals(payload, back, size + "-byte datagram intact");
    }
  }

  @Test
  void insideToOutsideOverIpv6WhileClientUsesIpv4() {
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(Rig.outsideService("[::]:0"));
    rig.startInside(Rig.insideService("[::1]:" + rig.outsidePort(), "127.0.0.1:" + rig.echo.port()));
    rig.awaitSpares(1);
    JsonObject status = rig.outsideStatus();
    assertTrue(status.getJsonArray("list").getJsonObject(0).getString("address").startsWith("[0:0:0:0:0:0:0:1]")
        || status.getJsonArray("list").getJsonObject(0).getString("address").startsWith("[::1]"),
        "tunnel registered over IPv6: " + status.encode());
    try (TestClient client = new TestClient("127.0.0.1", new InetSocketAddress("127.0.0.1", rig.outsidePort()))) {
      byte[] msg = "v4 client, v6 tunnel".getBytes();
      assertArrayEquals(msg, client.roundTrip(msg, 2000));
    }
  }

  @Test
  void ipv6ClientThroughDualStackPort() {
    rig = Rig.standard(new JsonObject(), new JsonObject());
    try (TestClient client = new TestClient("::1", new InetSocketAddress("::1", rig.outsidePort()))) {
      byte[] msg = "v6 client".getBytes();
      assertArrayEquals(msg, client.roundTrip(msg, 2000));
    }
  }

  @Test
  void emptyDatagramsAreDroppedAndCounted() {
    rig = Rig.standard(new JsonObject(), new JsonObject());
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      client.send(new byte[0]);
      byte[] msg = "after empty".getBytes();
      assertArrayEquals(msg, client.roundTrip(msg, 2000));
      assertEquals(1, rig.outside.meters(Rig.SERVICE).drops(DropReason.EMPTY));
    }
  }


  @Test
  void rotatedKeysWorkInEitherOrder() {
    String next = io.rut.protocol.ServiceKeys.generate();
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    // The outside already knows the next key and signs with it; the inside still signs with the old one.
    rig.startOutside(Rig.outsideService("127.0.0.1:0").put("secret", new io.vertx.core.json.JsonArray().add(next).add(Rig.SECRET)));
    rig.startInside(Rig.insideService("127.0.0.1:" + rig.outsidePort(), "127.0.0.1:" + rig.echo.port())
        .put("secret", new io.vertx.core.json.JsonArray().add(Rig.SECRET).add(next)));
    rig.awaitSpares(1);
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      byte[] msg = "mid-rotation".getBytes();
      assertArrayEquals(msg, client.roundTrip(msg, 2000));
    }
  }

  @Test
  void passphraseSecretsAreStretchedAlikeOnBothSides() {
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(Rig.outsideService("127.0.0.1:0").put("secret", "correct horse battery staple"));
    rig.startInside(Rig.insideService("127.0.0.1:" + rig.outsidePort(), "127.0.0.1:" + rig.echo.port())
        .put("secret", "correct horse battery staple"));
    rig.awaitSpares(1);
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      byte[] msg = "argon2id".getBytes();
      assertArrayEquals(msg, client.roundTrip(msg, 2000));
    }
  }

  @Test
  void aWrongSecretRegistersNoTunnel() {
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(Rig.outsideService("127.0.0.1:0"));
    rig.startInside(Rig.insideService("127.0.0.1:" + rig.outsidePort(), "127.0.0.1:" + rig.echo.port())
        .put("secret", io.rut.protocol.ServiceKeys.generate()));
    Rig.sleep(1500);
    assertEquals(0, rig.outsideStatus().getInteger("tunnels"), "HELLOs under a wrong key are never answered");
    assertEquals(0, rig.outside.meters(Rig.SERVICE).sent(io.rut.protocol.MessageType.CHALLENGE));
    // Revision 1.1: its HELLOs are foreign control messages, dropped and counted, never a client's data.
    assertTrue(rig.outside.meters(Rig.SERVICE).drops(io.rut.metrics.DropReason.BAD_TAG) >= 2);
    assertEquals(0, rig.outsideStatus().getInteger("waitingClients"), "no HELLO waits as a client");
    assertEquals(0, rig.echo.peers().size(), "no HELLO reached the service");
  }
}
