package io.rut.config;

import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * How the agents' UDP sockets move datagrams in batches (docs/PERFORMANCE.md, "Batches"), each
 * used where the kernel and the native transport have it. Read at start only.
 *
 * @param batchedReads read many datagrams per system call (recvmmsg) on the outside's sockets;
 *                     off by default: with slots for the largest datagram it cost the outside
 *                     more CPU than it saved, and it rules out GRO on those sockets
 * @param gro          let the kernel hand over a run of one flow's datagrams in one read (UDP_GRO)
 * @param gso          send a run of datagrams to one destination in one write (UDP_SEGMENT)
 */
public record DataPathConfig(boolean batchedReads, boolean gro, boolean gso) {

  public static final DataPathConfig DEFAULT = new DataPathConfig(false, true, true);

  static DataPathConfig fromJson(JsonObject json) {
    if (json == null) {
      return DEFAULT;
    }
    JsonFields f = new JsonFields(json, "dataPath", Set.of("batchedReads", "gro", "gso"));
    return new DataPathConfig(f.bool("batchedReads", false), f.bool("gro", true), f.bool("gso", true));
  }
}
