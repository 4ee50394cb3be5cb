package io.github.socketserver4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.netty.NettyOptions;
import io.github.socketserver4j.testing.TestRules;
import io.netty.channel.epoll.Epoll;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 (JPMS): the module descriptors of socketserver4j-api ({@code io.github.socketserver4j})
 * and socketserver4j-netty ({@code io.github.socketserver4j.netty}) work for an application on the
 * module path. The test compiles a small named module with this JVM's javac, against the modules
 * this build made (its target/classes or jars, whichever the class path holds) and Netty's and
 * SLF4J's jars, and runs it in a child JVM with {@code java -m}: a {@code ThreadingTCPServer}
 * without a {@code socketProvider()} override finds the Netty transport through the api's {@code
 * uses} and netty-impl's {@code provides}, serves a line, and reports its transport.
 */
class ModularApplicationTest {
  private static Path work;
  private static Path compiled;

  static final String MODULE_INFO =
      String.join(
          "\n",
          "module app {",
          "  requires io.github.socketserver4j.netty; // and so io.github.socketserver4j",
          "}");

  static final String MAIN =
      String.join(
          "\n",
          "package app;",
          "",
          "import io.github.socketserver4j.StreamRequestHandler;",
          "import io.github.socketserver4j.ThreadingTCPServer;",
          "import io.github.socketserver4j.netty.NettyOptions;",
          "import java.io.IOException;",
          "import java.net.InetSocketAddress;",
          "import java.net.Socket;",
          "import java.nio.charset.StandardCharsets;",
          "",
          "public class Main {",
          "  static class Echo extends StreamRequestHandler {",
          "    @Override public void handle() throws IOException {",
          "      wfile().write(rfile().readLine());",
          "    }",
          "  }",
          "",
          "  public static void main(String[] args) throws Exception {",
          "    try (var server = new ThreadingTCPServer(",
          "        new InetSocketAddress(\"127.0.0.1\", 0), Echo::new)) {",
          "      Thread serving = new Thread(server::serveForever);",
          "      serving.start();",
          "      try (Socket c = new Socket()) {",
          "        c.connect(server.serverAddress(), 10_000);",
          "        c.getOutputStream().write(\"modular\\n\".getBytes(StandardCharsets.US_ASCII));",
          "        byte[] reply = c.getInputStream().readNBytes(8);",
          "        String text = new String(reply, StandardCharsets.US_ASCII).trim();",
          "        System.out.println(\"reply \" + text);",
          "      }",
          "      System.out.println(\"transport \" + NettyOptions.transportOf(server));",
          "      System.out.println(\"modules \" + ThreadingTCPServer.class.getModule().getName()",
          "          + \" \" + NettyOptions.class.getModule().getName());",
          "      server.shutdown();",
          "      serving.join();",
          "    }",
          "  }",
          "}",
          "");

  @BeforeAll
  static void compileTheApplication() throws Exception {
    work = Files.createTempDirectory("ss4j-modular");
    Path src = work.resolve("src");
    Files.createDirectories(src.resolve("app"));
    Files.writeString(src.resolve("module-info.java"), MODULE_INFO);
    Files.writeString(src.resolve("app").resolve("Main.java"), MAIN);
    compiled = work.resolve("classes");
    List<String> javac = new ArrayList<>();
    javac.add(Path.of(System.getProperty("java.home"), "bin", "javac").toString());
    javac.addAll(List.of("--release", "17", "-Xlint:all", "-Werror"));
    javac.addAll(List.of("--module-path", modulePath(), "-d", compiled.toString()));
    javac.add(src.resolve("module-info.java").toString());
    javac.add(src.resolve("app").resolve("Main.java").toString());
    Result r = run(javac);
    assertEquals(0, r.status, "javac failed:\n" + r.output);
  }

  @AfterAll
  static void deleteWork() throws IOException {
    if (work != null) {
      try (Stream<Path> files = Files.walk(work)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toArray(Path[]::new)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /**
   * The application's module path: socketserver4j's two modules and the Netty and SLF4J jars of
   * this class path (the test-jar and the test libraries stay out).
   */
  static String modulePath() throws Exception {
    List<String> entries = new ArrayList<>();
    entries.add(module(ThreadingTCPServer.class));
    entries.add(module(NettyOptions.class));
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(e).getFileName().toString();
      if ((name.startsWith("netty-") || name.startsWith("slf4j-")) && name.endsWith(".jar")) {
        entries.add(e);
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  /**
   * The module this build made for {@code type}: its jar (after {@code package}: a multi-release
   * jar with the descriptor in META-INF/versions/17), or, when the class path holds the classes
   * directory ({@code mvn test}), an exploded copy of it with that same descriptor at its root.
   */
  static String module(Class<?> type) throws Exception {
    Path p = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (!Files.isDirectory(p)) {
      return p.toString();
    }
    Path descriptor = p.resolve("META-INF/versions/17/module-info.class");
    assertTrue(Files.exists(descriptor), "no " + descriptor);
    Path copy = work.resolve("modules").resolve(p.getParent().getParent().getFileName());
    if (!Files.exists(copy)) {
      try (Stream<Path> files = Files.walk(p)) {
        for (Path f : files.toArray(Path[]::new)) {
          Path to = copy.resolve(p.relativize(f).toString());
          if (Files.isDirectory(f)) {
            Files.createDirectories(to);
          } else {
            Files.copy(f, to);
          }
        }
      }
      Files.copy(descriptor, copy.resolve("module-info.class"));
    }
    return copy.toString();
  }

  record Result(int status, String output) {}

  static Result run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(
          p.waitFor(TestRules.waitBound().toMillis() * 3, TimeUnit.MILLISECONDS),
          "did not end: " + command);
      return new Result(p.exitValue(), out);
    } finally {
      p.destroyForcibly();
    }
  }

  static Result runApplication(String... extraFlags) throws Exception {
    List<String> java = new ArrayList<>();
    java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    java.addAll(List.of("-Xmx64m", "-XX:TieredStopAtLevel=1"));
    if (Runtime.version().feature() >= 24) {
      // JDK 24+ warns when Netty loads (or tries) its native library; on the module path the
      // caller is the module io.netty.common, not ALL-UNNAMED as on the class path.
      java.add("--enable-native-access=io.netty.common");
    }
    java.addAll(List.of(extraFlags));
    java.addAll(List.of("--module-path", compiled + File.pathSeparator + modulePath()));
    java.addAll(List.of("-m", "app/app.Main"));
    return run(java);
  }

  /** The module of Netty's epoll library for this machine, as the README names it. */
  static String nativeModule() {
    String arch = System.getProperty("os.arch").equals("aarch64") ? "aarch_64" : "x86_64";
    return "io.netty.transport.epoll.linux." + arch;
  }

  @Test
  @DisplayName("issue 14 JPMS: a named application module finds the Netty transport (uses/provides) and serves")
  void namedModuleServes() throws Exception {
    Result r = runApplication();
    assertEquals(0, r.status, r.output);
    assertTrue(r.output.contains("reply modular"), r.output);
    assertTrue(
        r.output.contains("modules io.github.socketserver4j io.github.socketserver4j.netty"),
        r.output);
    // Without the native module resolved, Netty cannot find its epoll library: NIO.
    assertTrue(r.output.contains("transport nio"), r.output);
    assertEquals(List.of(), warnings(r.output), "the JVM warned");
  }

  @Test
  @DisplayName("issue 14 JPMS: with Netty's native module added, the same application runs on epoll")
  void nativeModuleGivesEpoll() throws Exception {
    Result r = runApplication("--add-modules", nativeModule());
    assertEquals(0, r.status, r.output);
    assertTrue(r.output.contains("reply modular"), r.output);
    assertTrue(
        r.output.contains("transport " + (Epoll.isAvailable() ? "epoll" : "nio")), r.output);
    assertEquals(List.of(), warnings(r.output), "the JVM warned");
  }

  static List<String> warnings(String output) {
    return output.lines().filter(l -> l.startsWith("WARNING")).collect(Collectors.toList());
  }
}
