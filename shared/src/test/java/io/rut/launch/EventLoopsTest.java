package io.rut.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.Test;

class EventLoopsTest {

  @Test
  void anAgentRunsOneEventLoopPerCoreByDefault() {
    VertxOptions options = new VertxOptions();
    RutLauncher.oneEventLoopPerCore(options);
    assertEquals(Runtime.getRuntime().availableProcessors(), options.getEventLoopPoolSize());
  }

  @Test
  void aNumberTheUserChoseIsKept() {
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(7);
    RutLauncher.oneEventLoopPerCore(options);
    assertEquals(7, options.getEventLoopPoolSize());
  }
}
