package io.rut.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/** A blocking UDP client on its own source port, for tests that talk step by step. */
final class TestClient implements AutoCloseable {

  final DatagramSocket socket;
  private final InetSocketAddress to;
  private final byte[] in = new byte[65536];

  TestClient(String bindHost, InetSocketAddress to) {
    try {
      this.socket = new DatagramSocket(new InetSocketAddress(bindHost, 0));
      this.socket.setReceiveBufferSize(4 << 20);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.to = to;
  }

  static TestClient to(int port) {
    return new TestClient("127.0.0.1", new InetSocketAddress("127.0.0.1", port));
  }

  void send(byte[] data) {
    sendTo(data, to);
  }

  void sendTo(byte[] data, InetSocketAddress dest) {
    try {
      socket.send(new DatagramPacket(data, data.length, dest));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next datagram, or null after {@code timeoutMs}. */
  byte[] receive(long timeoutMs) {
    try {
      socket.setSoTimeout((int) Math.max(1, timeoutMs));
      DatagramPacket p = new DatagramPacket(in, in.length);
      socket.receive(p);
      return Arrays.copyOf(p.getData(), p.getLength());
    } catch (SocketTimeoutException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends and waits for the echo of exactly these bytes; null if none within the time. */
  byte[] roundTrip(byte[] data, long timeoutMs) {
    send(data);
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return null;
      }
      byte[] r = receive(left);
      if (r == null || Arrays.equals(r, data)) {
        return r;
      }
    }
  }

  int port() {
    return socket.getLocalPort();
  }

  @Override
  public void close() {
    socket.close();
  }
}
