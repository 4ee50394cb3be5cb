package io.github.socketserver4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.github.socketserver4j.testing.UnixPaths;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.DisplayName;

/**
 * Issue 7, security basics: the mode of a Unix socket file. By default the umask decides, as in
 * CPython (checked by binding a socket with python3 in the same directory, under the same umask);
 * {@code socketFileMode()} sets it.
 */
class UnixSocketModeTest {

  static List<Arguments> unixKinds() {
    List<Arguments> all = new ArrayList<>();
    for (Arguments a : ServerKinds.streamKindsAndTransports()) {
      if (((ServerKinds.Kind) a.get()[0]) == ServerKinds.Kind.UNIX_STREAM) {
        all.add(a);
      }
    }
    for (Arguments a : ServerKinds.datagramKindsAndTransports()) {
      if (((ServerKinds.Kind) a.get()[0]) == ServerKinds.Kind.UNIX_DATAGRAM) {
        all.add(a);
      }
    }
    return all;
  }

  static Set<PosixFilePermission> mode(Path p) throws Exception {
    return Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
  }

  /** Binds a Unix socket of the same type with python3 at {@code path}; returns its mode. */
  static Set<PosixFilePermission> cpythonMode(Path path, boolean stream) throws Exception {
    String type = stream ? "SOCK_STREAM" : "SOCK_DGRAM";
    Process p =
        new ProcessBuilder(
                "python3",
                "-c",
                "import socket,os,stat,sys; s=socket.socket(socket.AF_UNIX, socket." + type + ");"
                    + " s.bind(sys.argv[1]); print(stat.filemode(os.stat(sys.argv[1]).st_mode)); s.close()",
                path.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
      p.destroy();
      throw new AssertionError("python3 failed: " + out);
    }
    return PosixFilePermissions.fromString(out.substring(1)); // "srwxr-xr-x" without the type
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("unixKinds")
  @DisplayName("issue 7: the socket file's mode is the umask's by default, as CPython's; socketFileMode() sets it and the server serves")
  void socketFileMode(ServerKinds.Kind kind, String transport) throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      UnixDomainSocketAddress plainPath = paths.next();
      Set<PosixFilePermission> cpython = cpythonMode(paths.next().getPath(), kind.stream);
      Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
      Transports.with(
          transport,
          () -> {
            try (TCPServer plain = kind.create(plainPath, handler(kind), e -> {})) {
              assertEquals(
                  PosixFilePermissions.toString(cpython),
                  PosixFilePermissions.toString(mode(plainPath.getPath())),
                  "default mode, compared with CPython's under the same umask");
            }
            UnixDomainSocketAddress strictPath = paths.next();
            TCPServer strict =
                kind.stream
                    ? new UnixStreamServer(strictPath, handler(kind)) {
                      @Override
                      public Optional<Set<PosixFilePermission>> socketFileMode() {
                        return Optional.of(ownerOnly);
                      }
                    }
                    : new UnixDatagramServer(strictPath, handler(kind)) {
                      @Override
                      public Optional<Set<PosixFilePermission>> socketFileMode() {
                        return Optional.of(ownerOnly);
                      }
                    };
            try (strict) {
              assertEquals("rw-------", PosixFilePermissions.toString(mode(strictPath.getPath())));
              Thread t = SocketTypesTest.serveOne(strict);
              if (kind.stream) {
                SocketTypesTest.unixStreamExamine(strictPath); // the owner may still connect
              } else {
                SocketTypesTest.unixDgramExamine(paths, strictPath);
              }
              t.join(TestRules.waitBound().toMillis());
            }
            return null;
          });
    }
  }

  static RequestHandlerFactory handler(ServerKinds.Kind kind) {
    return kind.stream ? SocketServerTest.EchoLine::new : SocketTypesTest.EchoDatagram::new;
  }
}
