package io.rut.agent;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Lets immutable records travel on the local event bus as they are: no copy, no serialisation.
 * RUT's lifecycle events and commands never leave the process, so they need no wire form.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {

  private final String name;

  private LocalCodec(Class<T> type) {
    this.name = "rut-local-" + type.getName();
  }

  /** Makes each class the default of its own codec on {@code vertx}'s event bus; registering twice is harmless. */
  public static void register(Vertx vertx, Class<?>... types) {
    for (Class<?> type : types) {
      register(vertx.eventBus(), type);
    }
  }

  private static <T> void register(io.vertx.core.eventbus.EventBus bus, Class<T> type) {
    try {
      bus.registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // another agent of this process (a test rig) registered it first
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T t) {
    throw new UnsupportedOperationException("local only");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException("local only");
  }

  @Override
  public T transform(T t) {
    return t;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
