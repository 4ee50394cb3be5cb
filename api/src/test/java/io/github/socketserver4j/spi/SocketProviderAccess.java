package io.github.socketserver4j.spi;

import java.util.List;

/** Reaches the package-private choice rule of {@link SocketProvider} from the api tests. */
public final class SocketProviderAccess {
  private SocketProviderAccess() {}

  public static SocketProvider choose(List<SocketProvider> found, String wanted) {
    return SocketProvider.choose(found, wanted);
  }
}
