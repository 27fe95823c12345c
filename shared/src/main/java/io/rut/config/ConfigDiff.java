package io.rut.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a reload changes, as a pure function of the running and the new services: which start,
 * which are updated in place (same name and sockets, other settings), which stop. A service whose
 * sockets change ({@code addressOf}) is both removed and added: it has to be started anew. Services
 * that did not change appear nowhere.
 *
 * @param added   services to start, in the new configuration's order
 * @param changed services to update in place, in their new form
 * @param removed services to stop, in their running form
 */
public record ConfigDiff<S extends ServiceSettings>(List<S> added, List<S> changed, List<S> removed) {

  public static <S extends ServiceSettings> ConfigDiff<S> of(List<S> running, List<S> next,
                                                             Function<S, Object> addressOf) {
    Map<String, S> old = byName(running);
    Map<String, S> wanted = byName(next);
    List<S> added = new ArrayList<>();
    List<S> changed = new ArrayList<>();
    List<S> removed = new ArrayList<>();
    for (S s : wanted.values()) {
      S was = old.get(s.name());
      if (was == null || !addressOf.apply(was).equals(addressOf.apply(s))) {
        added.add(s);
      } else if (!was.equals(s)) {
        changed.add(s);
      }
    }
    for (S s : old.values()) {
      S now = wanted.get(s.name());
      if (now == null || !addressOf.apply(now).equals(addressOf.apply(s))) {
        removed.add(s);
      }
    }
    return new ConfigDiff<>(List.copyOf(added), List.copyOf(changed), List.copyOf(removed));
  }

  /** A service both removed and added: it moves to other sockets. */
  public boolean moves(String name) {
    return added.stream().anyMatch(s -> s.name().equals(name)) && removed.stream().anyMatch(s -> s.name().equals(name));
  }

  public boolean isEmpty() {
    return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
  }

  private static <S extends ServiceSettings> Map<String, S> byName(List<S> list) {
    Map<String, S> m = new LinkedHashMap<>();
    list.forEach(s -> m.put(s.name(), s));
    return m;
  }
}
