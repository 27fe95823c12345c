package io.rut.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rut.config.ConfigException;
import io.rut.config.ConfigText;
import io.rut.config.InsideConfig;
import io.rut.config.OutsideConfig;

/** Configuration files: either a validated configuration or one {@link ConfigException}, for both agents. */
class ConfigFuzzTest {

  @FuzzTest(maxDuration = "25s")
  @DictionaryEntries({"{", "}", "[", "]", "\"services\"", "\"name\"", "\"listen\"", "\"secret\"", "\"outside\"",
      "\"target\"", "\"maxTunnels\"", "\"maxSpares\"", "\"spares\"", "\"keepaliveInterval\"", "\"connectionTimeout\"",
      "\"metrics\"", "\"logLevel\"", "\"allow\"", "\"deny\"", "\"wireguardPublicKey\"", "\"maxTunnelsPerIp\"",
      "\"configScanPeriod\"", "\"base64:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"", "\"[::]:2222\"",
      "\"127.0.0.1:1\"", "\"10.0.0.0/8\"", "1e309", "-0", "null", "true"})
  void configurationIsValidOrRefusedInOneMessage(String text) {
    try {
      OutsideConfig.fromJson(ConfigText.parse(text, "fuzz"));
    } catch (ConfigException refused) {
      // refused with a message
    }
    try {
      InsideConfig.fromJson(ConfigText.parse(text, "fuzz"));
    } catch (ConfigException refused) {
      // refused with a message
    }
  }
}
