package io.rut.outside;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/** What the outside's protocol logic asks of its socket and event bus; the verticle implements it. */
interface RelayOutput {

  /** Sends the bytes of a received datagram as they are; {@code data} is valid during the call only. */
  void forward(ByteBuf data, InetSocketAddress to);

  /** Sends a datagram that was held for a waiting client. */
  void send(byte[] datagram, InetSocketAddress to);

  /** Sends an encoded control message at once, ahead of data written in the same round. */
  void sendControl(byte[] message, InetSocketAddress to);

  void publish(OutsideEvent event);
}
