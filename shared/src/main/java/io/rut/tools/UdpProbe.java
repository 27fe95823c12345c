package io.rut.tools;

import io.rut.config.HostPort;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Sends numbered datagrams to an echo service (directly or through RUT) and prints each round trip.
 * {@code java -cp outside.jar io.rut.tools.UdpProbe 127.0.0.1:2222 [count] [interval-ms]}; exits 0
 * when every datagram came back, 1 otherwise.
 */
public final class UdpProbe {

  private UdpProbe() {
  }

  /** Agents that were just started need a moment: knock (at most 30 s) until something echoes. */
  private static void awaitTunnel(DatagramSocket s, InetSocketAddress to, byte[] in) throws Exception {
    byte[] knock = "rut probe: is the tunnel up?".getBytes(StandardCharsets.UTF_8);
    s.setSoTimeout(500);
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      s.send(new DatagramPacket(knock, knock.length, to));
      try {
        s.receive(new DatagramPacket(in, in.length));
        System.out.println("probe: the tunnel is up");
        s.setSoTimeout(2000);
        return;
      } catch (SocketTimeoutException e) {
        // not yet: knock again
      }
    }
    throw new IllegalStateException("nothing echoed through " + to + " within 30 s");
  }

  /**
   * The echo of {@code sent}, within 2 s of {@code t0}. Echoes of earlier datagrams are passed over:
   * knocks repeated while the agents started come back late, each of them.
   */
  private static String receiveEcho(DatagramSocket s, byte[] in, String sent, long t0) throws Exception {
    while (true) {
      int left = (int) (2000 - (System.nanoTime() - t0) / 1_000_000);
      if (left <= 0) {
        throw new SocketTimeoutException();
      }
      s.setSoTimeout(left);
      DatagramPacket p = new DatagramPacket(in, in.length);
      s.receive(p);
      String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
      if (text.equals(sent)) {
        return text;
      }
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: UdpProbe HOST:PORT [count] [interval-ms]");
      System.exit(2);
    }
    InetSocketAddress to = HostPort.parse(args[0]).resolve();
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    long interval = args.length > 2 ? Long.parseLong(args[2]) : 500;
    int back = 0;
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(2000);
      byte[] in = new byte[65536];
      awaitTunnel(s, to, in);
      for (int i = 1; i <= count; i++) {
        byte[] out = ("rut probe #" + i).getBytes(StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        s.send(new DatagramPacket(out, out.length, to));
        try {
          String text = receiveEcho(s, in, new String(out, StandardCharsets.UTF_8), t0);
          System.out.printf("probe: sent \"%s\" from port %d, echo \"%s\" after %.2f ms%n",
              new String(out, StandardCharsets.UTF_8), s.getLocalPort(), text, (System.nanoTime() - t0) / 1e6);
          back++;
        } catch (SocketTimeoutException e) {
          System.out.printf("probe: datagram #%d got no echo within 2 s%n", i);
        }
        Thread.sleep(interval);
      }
    }
    System.out.printf("probe: %d of %d datagrams came back through %s%n", back, count, args[0]);
    System.exit(back == count ? 0 : 1);
  }
}
