package io.rut.outside;

import io.netty.buffer.ByteBufUtil;
import io.rut.agent.LaunchRehearsal;
import io.rut.config.OutsideConfig;
import io.rut.config.OutsideServiceConfig;
import io.rut.metrics.EventLog;
import io.rut.metrics.Registries;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlCodec;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MalformedControlException;
import io.rut.protocol.MessageCounter;
import io.rut.protocol.MessageType;
import io.rut.protocol.ServiceId;
import io.rut.protocol.ServiceKeys;
import io.rut.tunnel.RelaySocket;
import io.rut.tunnel.Udp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The outside agent's {@link LaunchRehearsal}: the real {@link ServiceRelay} on a private port,
 * with scripted tunnels behind it. Each tunnel is a loopback socket that registers as a spare
 * (HELLO, then AUTH with the CHALLENGE's cookie, sent again until ACKed) and echoes the data the
 * relay forwards, so every client of a wave takes a tunnel the way real clients do in a burst.
 */
public final class RelayRehearsal extends LaunchRehearsal {

  private static final long HELLO_AGAIN_MS = 200;
  private static final int SPARE_TUNNELS = 8;
  /** The scripted tunnels' address: neither the clients' nor the relay's. */
  private static final String TUNNEL_ADDRESS = "127.0.0.3";

  private final List<ScriptedTunnel> tunnels = new ArrayList<>();
  private List<ScriptedTunnel> lastWave = new ArrayList<>();
  private final MessageCounter counter = new MessageCounter();
  private String relayDeployment;
  private InetSocketAddress relay;
  private ControlCodec codec;
  private long serviceId;
  private long helloTimer = -1;

  /** The private relay's settings: room for every rehearsed tunnel, no limit a burst would hit. */
  public static OutsideServiceConfig service(String name, String secret, int tunnels) {
    return OutsideConfig.fromJson(new JsonObject().put("services", new JsonArray().add(new JsonObject()
            .put("name", name).put("listen", "127.0.0.1:0").put("secret", secret)
            .put("maxTunnels", tunnels).put("maxSpares", tunnels).put("maxPendingClients", 2 * CLIENTS)
            .put("maxTunnelsPerIp", tunnels).put("newClientsPerSecondPerIp", 1_000_000)
            .put("newClientsPerSecond", 1_000_000).put("challengesPerSecondPerIp", 1_000_000))))
        .services().get(0);
  }

  /** A random name of the form a service name takes. */
  public static String privateName() {
    return "rehearsal-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
  }

  @Override
  protected int socketsPerClient() {
    return 1;
  }

  @Override
  protected Future<InetSocketAddress> openRelay() {
    String name = privateName();
    OutsideServiceConfig config = service(name, ServiceKeys.generate(), tunnelsAtMost());
    ServiceKeys keys = ServiceKeys.derive(name, config.secrets());
    codec = new ControlCodec(keys);
    serviceId = ServiceId.of(name);
    ServiceRelay r = new ServiceRelay(config, keys, new MessageCounter(),
        new ServiceMeters(Registries.prometheus(), "outside", name), EventLog.silent("outside")).withoutRehearsal();
    return vertx.deployVerticle(r).map(id -> {
      relayDeployment = id;
      relay = new InetSocketAddress("127.0.0.1", r.port());
      return relay;
    });
  }

  /**
   * A few tunnels more than clients, so that a stray datagram taken for a new client (one sent
   * again after its tunnel closed) never leaves a client of the wave without a tunnel.
   */
  @Override
  protected void waveArriving(int clients) {
    for (int i = 0; i < clients + SPARE_TUNNELS; i++) {
      tunnels.add(new ScriptedTunnel());
    }
    helloTimer = vertx.setPeriodic(HELLO_AGAIN_MS, t -> tunnels.forEach(ScriptedTunnel::helloUnlessRegistered));
  }

  /**
   * The tunnels of the wave before say CLOSE, as an inside agent's idle tunnels do, and go. This
   * wave's stay a wave longer, for datagrams its clients sent again just before they were served.
   */
  @Override
  protected void waveOver() {
    vertx.cancelTimer(helloTimer);
    helloTimer = -1;
    lastWave.forEach(ScriptedTunnel::close);
    lastWave = new ArrayList<>(tunnels);
    tunnels.clear();
  }

  @Override
  protected Future<Void> closeRelay() {
    if (helloTimer >= 0) {
      vertx.cancelTimer(helloTimer);
      helloTimer = -1;
    }
    List<Future<Void>> closing = new ArrayList<>();
    tunnels.forEach(t -> closing.add(t.socket.close()));
    lastWave.forEach(t -> closing.add(t.socket.close()));
    tunnels.clear();
    lastWave.clear();
    String id = relayDeployment;
    relayDeployment = null;
    return Future.join(closing).eventually(() -> id == null ? Future.succeededFuture() : vertx.undeploy(id))
        .mapEmpty();
  }

  /** One tunnel of the script: registers as a spare and echoes data. */
  private final class ScriptedTunnel {
    private final long id = ThreadLocalRandom.current().nextLong();
    private final RelaySocket socket = RelaySocket.create(vertx, false);
    private boolean registered;

    ScriptedTunnel() {
      socket.handler((data, from) -> {
        if (!Udp.maybeControl(data)) {
          socket.forward(data, relay);
          return;
        }
        ControlMessage m;
        try {
          m = codec.decode(ByteBufUtil.getBytes(data));
        } catch (MalformedControlException e) {
          return;
        }
        if (m == null) {
          socket.forward(data, relay);
        } else if (m.type() == MessageType.CHALLENGE) {
          send(ControlMessage.auth(serviceId, id, counter.next(), m.cookie(), null));
        } else if (m.type() == MessageType.ACK) {
          registered = true;
        }
      });
      socket.listen(0, TUNNEL_ADDRESS).onSuccess(s -> helloUnlessRegistered());
    }

    void helloUnlessRegistered() {
      if (!registered) {
        send(ControlMessage.hello(serviceId, id, counter.next(), true));
      }
    }

    void close() {
      send(ControlMessage.close(serviceId, id, counter.next(), CloseReason.IDLE));
      socket.close();
    }

    private void send(ControlMessage m) {
      socket.send(Buffer.buffer(codec.encode(m)), relay);
    }
  }
}
