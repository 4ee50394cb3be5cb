package io.github.socketserver4j.spi;

import java.util.List;

/** Reaches the package-private choice rule of {@link TransportProvider} from the api tests. */
public final class TransportProviderAccess {
  private TransportProviderAccess() {}

  public static TransportProvider choose(List<TransportProvider> found, String wanted) {
    return TransportProvider.choose(found, wanted);
  }
}
