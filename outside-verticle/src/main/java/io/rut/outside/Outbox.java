package io.rut.outside;

import io.rut.control.ControlChannel;
import io.rut.protocol.ControlMessage;
import java.net.InetSocketAddress;

/** The relay's decisions on their way out: control messages encoded and counted, events published. */
final class Outbox {

  private final String service;
  private final ControlChannel channel;
  private final RelayOutput out;

  Outbox(String service, ControlChannel channel, RelayOutput out) {
    this.service = service;
    this.channel = channel;
    this.out = out;
  }

  void send(ControlMessage m, InetSocketAddress to) {
    out.sendControl(channel.encode(m), to);
  }

  void publish(OutsideEvent.Kind kind, OutsideTunnel t) {
    out.publish(new OutsideEvent(service, kind, t.id, t.address, t.client));
  }

  RelayOutput output() {
    return out;
  }
}
