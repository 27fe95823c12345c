package io.rut.inside;

import io.rut.agent.LaunchRehearsal;
import io.rut.config.HostPort;
import io.rut.config.InsideConfig;
import io.rut.config.InsideServiceConfig;
import io.rut.config.OutsideServiceConfig;
import io.rut.metrics.EventLog;
import io.rut.metrics.Registries;
import io.rut.metrics.ServiceMeters;
import io.rut.outside.RelayRehearsal;
import io.rut.outside.ServiceRelay;
import io.rut.protocol.MessageCounter;
import io.rut.protocol.ServiceKeys;
import io.rut.tunnel.RelaySocket;
import io.rut.tunnel.TunnelVerticle;
import io.rut.tunnel.Udp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;

/**
 * The inside agent's {@link LaunchRehearsal}: a private pair of the real code, a
 * {@link ServiceRelay} and a {@link ServiceAgent} whose tunnels relay to an echo socket, so the
 * bursts run every step a real burst takes on the inside.
 */
public final class PairRehearsal extends LaunchRehearsal {

  /** A wave's tunnels close this soon after its clients go, as idle tunnels do. */
  private static final double IDLE_SECONDS = 0.2;

  private RelaySocket echo;
  private String relayDeployment;
  private String agentDeployment;
  private InetSocketAddress target;

  /**
   * The last wave's tunnels close on idle and then tell their agent, a CLOSE repeat later: the
   * agent waits for that, or the news would find it gone (and Vert.x would log each one).
   */
  @Override
  protected long settleMillis() {
    return (long) (IDLE_SECONDS * 1.2 * 1000) + TunnelVerticle.CLOSE_REPEAT_MS + 200;
  }

  @Override
  protected int socketsPerClient() {
    return 2;
  }

  @Override
  protected Future<InetSocketAddress> openRelay() {
    String name = RelayRehearsal.privateName();
    String secret = ServiceKeys.generate();
    int tunnels = tunnelsAtMost();
    echo = RelaySocket.create(vertx, false);
    echo.handler((data, from) -> echo.forward(data, Udp.inet(from)));
    return echo.listen(0, "127.0.0.1").compose(e -> {
      OutsideServiceConfig outside = RelayRehearsal.service(name, secret, tunnels);
      ServiceKeys keys = ServiceKeys.derive(name, outside.secrets());
      ServiceRelay relay = new ServiceRelay(outside, keys, new MessageCounter(),
          new ServiceMeters(Registries.prometheus(), "outside", name), EventLog.silent("outside")).withoutRehearsal();
      return vertx.deployVerticle(relay).compose(id -> {
        relayDeployment = id;
        target = new InetSocketAddress("127.0.0.1", relay.port());
        InsideServiceConfig inside = InsideConfig.fromJson(new JsonObject().put("services", new JsonArray()
            .add(new JsonObject().put("name", name).put("outside", "127.0.0.1:" + relay.port())
                .put("target", "127.0.0.1:" + echo.localAddress().port()).put("secret", secret)
                .put("maxTunnels", tunnels).put("connectionTimeout", IDLE_SECONDS)))).services().get(0);
        ServiceAgent agent = new ServiceAgent(inside, keys, new MessageCounter(),
            new ServiceMeters(Registries.prometheus(), "inside", name), EventLog.silent("inside"), HostPort::resolve);
        return vertx.deployVerticle(agent);
      }).map(id -> {
        agentDeployment = id;
        return target;
      });
    });
  }

  /** The agent first, so that its tunnels' CLOSE still finds the relay. */
  @Override
  protected Future<Void> closeRelay() {
    String agent = agentDeployment;
    String relay = relayDeployment;
    RelaySocket echoSocket = echo;
    agentDeployment = null;
    relayDeployment = null;
    echo = null;
    return (agent == null ? Future.<Void>succeededFuture() : vertx.undeploy(agent))
        .eventually(() -> relay == null ? Future.succeededFuture() : vertx.undeploy(relay))
        .eventually(() -> echoSocket == null ? Future.succeededFuture() : echoSocket.close());
  }
}
