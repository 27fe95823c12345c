package io.rut.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.function.Supplier;

/**
 * The inbound end of a {@link RelaySocket}'s channel: keeps what one wakeup reads (every datagram
 * of a coalesced read, each read of the wakeup) and hands it to the receiver when the wakeup's
 * reads are done, in one dispatch on the verticle's context and with one time for all of it.
 */
final class ReadRound extends ChannelInboundHandlerAdapter {

  private final ContextInternal context;
  private final Supplier<RelaySocket.Receiver> receiver;
  private final Supplier<Handler<Throwable>> exceptionHandler;
  private final ArrayList<DatagramPacket> read = new ArrayList<>();
  private final Handler<ArrayList<DatagramPacket>> deliver = this::deliver;

  ReadRound(ContextInternal context, Supplier<RelaySocket.Receiver> receiver,
            Supplier<Handler<Throwable>> exceptionHandler) {
    this.context = context;
    this.receiver = receiver;
    this.exceptionHandler = exceptionHandler;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof DatagramPacket packet) {
      read.add(packet);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!read.isEmpty()) {
      context.emit(read, deliver);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    drop(read);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!read.isEmpty()) {
      context.emit(read, deliver);
    }
    Handler<Throwable> handler = exceptionHandler.get();
    if (handler != null) {
      context.emit(cause, handler);
    }
  }

  private void deliver(ArrayList<DatagramPacket> packets) {
    long now = System.nanoTime();
    RelaySocket.Receiver to = receiver.get();
    try {
      // The receiver may close the socket, which drops the list: each entry is taken out first.
      // A receiver that fails on one datagram costs that datagram only, as it would alone.
      for (int i = 0; i < packets.size(); i++) {
        DatagramPacket packet = packets.set(i, null);
        try {
          if (to != null) {
            to.onDatagram(packet.content(), packet.sender(), now);
          }
        } catch (RuntimeException e) {
          context.reportException(e);
        } finally {
          packet.release();
        }
      }
    } finally {
      drop(packets);
    }
  }

  private static void drop(ArrayList<DatagramPacket> packets) {
    for (DatagramPacket packet : packets) {
      if (packet != null) {
        packet.release();
      }
    }
    packets.clear();
  }
}
