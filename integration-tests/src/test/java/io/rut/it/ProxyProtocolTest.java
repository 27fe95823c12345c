package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A service behind {@code "clientAddress": "proxy-v2"} reads each client's public address from the datagram. */
class ProxyProtocolTest {

  private Rig rig;

  @AfterEach
  void tearDown() {
    if (rig != null) {
      rig.close();
    }
  }

  @Test
  void theServiceReadsTheClientsAddressAndAnswersAsUsual() throws Exception {
    try (DatagramSocket service = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      service.setSoTimeout(5000);
      rig = new Rig();
      rig.startOutside(Rig.outsideService("127.0.0.1:0"));
      rig.startInside(Rig.insideService("127.0.0.1:" + rig.outsidePort(), "127.0.0.1:" + service.getLocalPort())
          .put("clientAddress", "proxy-v2"));
      rig.awaitSpares(1);
      try (TestClient client = TestClient.to(rig.outsidePort())) {
        client.send("hello".getBytes());
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        service.receive(p);
        ByteBuffer d = ByteBuffer.wrap(p.getData(), 0, p.getLength());
        byte[] signature = new byte[12];
        d.get(signature);
        assertArrayEquals(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A}, signature);
        assertEquals(0x21, d.get() & 0xff, "version 2, PROXY");
        assertEquals(0x12, d.get() & 0xff, "UDP over IPv4");
        assertEquals(12, d.getShort());
        byte[] src = new byte[4];
        byte[] dst = new byte[4];
        d.get(src);
        d.get(dst);
        assertEquals("127.0.0.1", InetAddress.getByAddress(src).getHostAddress());
        assertEquals("127.0.0.1", InetAddress.getByAddress(dst).getHostAddress());
        assertEquals(client.port(), d.getShort() & 0xffff, "the client's port as the outside saw it");
        assertEquals(rig.outsidePort(), d.getShort() & 0xffff, "the outside's port of the service");
        assertArrayEquals("hello".getBytes(), Arrays.copyOfRange(p.getData(), d.position(), p.getLength()));

        service.send(new DatagramPacket("welcome".getBytes(), 7, p.getSocketAddress()));
        assertArrayEquals("welcome".getBytes(), client.receive(5000), "the reply goes back as it is");
      }
    }
  }

  @Test
  void anotherModeIsRefusedAtLoadInOneLine() {
    JsonObject bad = Rig.insideService("127.0.0.1:1", "127.0.0.1:2").put("clientAddress", "transparentish");
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(io.rut.config.ConfigException.class,
        () -> io.rut.config.InsideConfig.fromJson(new JsonObject().put("services", new io.vertx.core.json.JsonArray()
            .add(bad))));
    assertEquals("services[0].clientAddress: 'transparentish' is not one of none, proxy-v2, transparent", e.getMessage());
  }
}
