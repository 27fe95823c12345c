package io.rut.agent;

import io.rut.protocol.ServiceKeys;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** One running service of an agent (an outside relay, an inside keeper of tunnels). */
public interface ServiceUnit<S> extends Deployable {

  /** Takes changed settings of the same service without dropping its tunnels. */
  Future<Void> update(S config, ServiceKeys keys);

  /** The service is removed from the configuration: say goodbye to the peers. Undeploying follows. */
  Future<Void> retire();

  /**
   * The service's state for the status endpoint: counts, {@code healthy} (a usable tunnel path),
   * and {@code list}, one object per live tunnel.
   */
  Future<JsonObject> status();
}
