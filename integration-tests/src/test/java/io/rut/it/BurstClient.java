package io.rut.it;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * A client that sends bursts of equal datagrams, so that a relay reads several at once and sends
 * them on as a run: {@code BurstClient HOST PORT BURSTS SIZE PER_BURST}. Prints
 * {@code burst: N of M echoed} and exits 0 when every datagram came back whole.
 */
public final class BurstClient {

  private BurstClient() {
  }

  public static void main(String[] args) throws Exception {
    InetSocketAddress to = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
    int bursts = Integer.parseInt(args[2]);
    int size = Integer.parseInt(args[3]);
    int perBurst = Integer.parseInt(args[4]);
    int echoed = 0;
    try (DatagramSocket s = new DatagramSocket()) {
      s.setReceiveBufferSize(4 << 20);
      byte[] knock = new byte[size];
      s.setSoTimeout(500);
      long deadline = System.nanoTime() + 30_000_000_000L;
      boolean up = false;
      while (!up && System.nanoTime() < deadline) {
        s.send(new DatagramPacket(knock, size, to));
        try {
          s.receive(new DatagramPacket(new byte[70_000], 70_000));
          up = true;
        } catch (SocketTimeoutException e) {
          // the tunnel is not up yet: knock again
        }
      }
      Thread.sleep(1000); // late echoes of the knocks come back meanwhile, and are read below
      while (true) {
        try {
          s.setSoTimeout(200);
          s.receive(new DatagramPacket(new byte[70_000], 70_000));
        } catch (SocketTimeoutException e) {
          break;
        }
      }
      s.setSoTimeout(2000);
      for (int b = 0; b < bursts; b++) {
        for (int i = 0; i < perBurst; i++) {
          byte[] d = new byte[size];
          Arrays.fill(d, (byte) (b * perBurst + i));
          s.send(new DatagramPacket(d, size, to));
        }
        for (int i = 0; i < perBurst; i++) {
          DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
          try {
            s.receive(p);
          } catch (SocketTimeoutException e) {
            break;
          }
          if (p.getLength() == size) {
            echoed++;
          }
        }
      }
    }
    System.out.println("burst: " + echoed + " of " + bursts * perBurst + " echoed");
    System.exit(echoed == bursts * perBurst ? 0 : 1);
  }
}
