package io.rut.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rut.config.Cidr;
import io.rut.config.ConfigException;
import io.rut.config.HostPort;
import io.rut.config.InsideConfig;
import io.rut.config.OutsideConfig;
import io.rut.config.SeedFlags;
import java.util.ArrayList;
import java.util.List;

/** The C tools' options, host:port and address blocks: a configuration or one {@link ConfigException}. */
class CommandLineFuzzTest {

  private static final String[] FLAGS = {"-l", "-s", "-o", "-k", "-n", "--spares", "--keepaliveInterval",
      "--connectionTimeout", "--logLevel", "--metrics", "-conf", "keygen"};

  @FuzzTest(maxDuration = "20s")
  void optionsAreValidOrRefusedInOneMessage(FuzzedDataProvider data) {
    List<String> args = new ArrayList<>();
    int n = data.consumeInt(0, 12);
    for (int i = 0; i < n; i++) {
      args.add(data.consumeBoolean() ? data.pickValue(FLAGS) : data.consumeString(40));
    }
    try {
      OutsideConfig.fromJson(SeedFlags.toJson(SeedFlags.Side.OUTSIDE, args));
    } catch (ConfigException refused) {
      // refused with a message
    }
    try {
      InsideConfig.fromJson(SeedFlags.toJson(SeedFlags.Side.INSIDE, args));
    } catch (ConfigException refused) {
      // refused with a message
    }
    String text = data.consumeRemainingAsString();
    try {
      HostPort.parse(text);
    } catch (ConfigException refused) {
      // refused with a message
    }
    try {
      Cidr.parse(text);
    } catch (ConfigException refused) {
      // refused with a message
    }
  }
}
