package io.rut.config;

import java.util.List;

/** What every service's configuration has, on either agent. */
public interface ServiceSettings {

  String name();

  List<String> secrets();
}
