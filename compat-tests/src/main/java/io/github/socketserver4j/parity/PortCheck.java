package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks a Java port against its Python original (docs/parity.md, "Porter mode"): runs the
 * Python server and the Java server one after the other, runs the same client steps against
 * each, and compares what the clients saw, byte for byte, and how each connection ended;
 * optionally also what the two programs printed.
 *
 * <p>The entry point for a porter's own JUnit 5 tests (one call; the failure message is the
 * side-by-side difference, Python on the left):
 *
 * <pre>{@code
 * @Test
 * void portBehavesAsThePythonServer() throws Exception {
 *   PortCheck.python("src/test/python/upper_server.py")
 *       .java(UpperServer.class)
 *       .scenario("src/test/parity/upper_clients.json")
 *       .assertSame();
 * }
 * }</pre>
 *
 * <p>Both programs must print the address they listen on as their first line of stdout, and
 * serve until they are stopped (SIGTERM). The command-line form is {@code java -jar
 * socketserver4j-parity.jar porter ...}; its options are the methods here. Relative paths resolve
 * against the working directory (under Maven's surefire: the module's directory).
 */
public final class PortCheck {
  private final Path script;
  private String javaMain;
  private Path scenario;
  private String python;
  private String classpath = System.getProperty("java.class.path");
  private final List<String> pythonArgs = new ArrayList<>();
  private final List<String> javaArgs = new ArrayList<>();
  private final List<String> jvmArgs = new ArrayList<>();
  private final Map<String, String> pythonEnv = new LinkedHashMap<>();
  private final Map<String, String> javaEnv = new LinkedHashMap<>();
  private boolean compareStdout;
  private boolean compareStderr;
  private List<String> normalisers = OutputNormaliser.ALL;

  private PortCheck(Path script) {
    this.script = script;
  }

  /**
   * Starts a check of the Python server {@code script}, run as {@code python -u script}.
   *
   * @param script the Python program (relative to the working directory)
   * @return the check, to configure
   */
  public static PortCheck python(String script) {
    return new PortCheck(Paths.get(script));
  }

  /**
   * The Java port: a class with a {@code main} method, run in a new JVM with {@link
   * #javaClasspath} (by default this JVM's class path).
   *
   * @param mainClass the Java port's main class
   * @return this check
   */
  public PortCheck java(Class<?> mainClass) {
    return java(mainClass.getName());
  }

  /**
   * The Java port by class name.
   *
   * @param mainClass the fully qualified name of the Java port's main class
   * @return this check
   */
  public PortCheck java(String mainClass) {
    this.javaMain = Objects.requireNonNull(mainClass, "mainClass");
    return this;
  }

  /**
   * The class path of the Java side; by default this JVM's ({@code java.class.path}).
   *
   * @param classpath entries separated by {@link File#pathSeparator}
   * @return this check
   */
  public PortCheck javaClasspath(String classpath) {
    this.classpath = Objects.requireNonNull(classpath, "classpath");
    return this;
  }

  /**
   * The scenario file: the client steps (docs/parity.md, "Scenario format").
   *
   * @param file the JSON file (relative to the working directory)
   * @return this check
   */
  public PortCheck scenario(String file) {
    this.scenario = Paths.get(file);
    return this;
  }

  /**
   * The Python interpreter. By default the {@code parity.python} system property (its first
   * entry), else {@code python3} from the PATH; the one used is named in the result.
   *
   * @param interpreter a path to python3
   * @return this check
   */
  public PortCheck interpreter(String interpreter) {
    this.python = Objects.requireNonNull(interpreter, "interpreter");
    return this;
  }

  /**
   * Arguments after the Python script; {@code {tmp}} becomes a new directory for this side.
   *
   * @param args the arguments
   * @return this check
   */
  public PortCheck pythonArgs(String... args) {
    pythonArgs.addAll(List.of(args));
    return this;
  }

  /**
   * Arguments after the Java main class; {@code {tmp}} becomes a new directory for this side.
   *
   * @param args the arguments
   * @return this check
   */
  public PortCheck javaArgs(String... args) {
    javaArgs.addAll(List.of(args));
    return this;
  }

  /**
   * Options of the Java side's JVM, before the main class ({@code -Dname=value}, {@code -Xmx64m}).
   *
   * @param args the options
   * @return this check
   */
  public PortCheck jvmArgs(String... args) {
    jvmArgs.addAll(List.of(args));
    return this;
  }

  /**
   * An environment variable for both programs; {@code {tmp}} in the value becomes each side's
   * own directory.
   *
   * @param name the variable
   * @param value its value
   * @return this check
   */
  public PortCheck env(String name, String value) {
    pythonEnv.put(name, value);
    javaEnv.put(name, value);
    return this;
  }

  /**
   * An environment variable for the Python program only.
   *
   * @param name the variable
   * @param value its value
   * @return this check
   */
  public PortCheck pythonEnv(String name, String value) {
    pythonEnv.put(name, value);
    return this;
  }

  /**
   * An environment variable for the Java program only.
   *
   * @param name the variable
   * @param value its value
   * @return this check
   */
  public PortCheck javaEnv(String name, String value) {
    javaEnv.put(name, value);
    return this;
  }

  /**
   * Also compares what the programs print on stdout (after the address line) and on stderr,
   * after the normalisers.
   *
   * @param stdout whether to compare stdout
   * @param stderr whether to compare stderr
   * @return this check
   */
  public PortCheck compareOutput(boolean stdout, boolean stderr) {
    this.compareStdout = stdout;
    this.compareStderr = stderr;
    return this;
  }

  /**
   * The normalisers to apply (by default all): {@code ports}, {@code paths}, {@code
   * timestamps}, {@code threads}, {@code tracebacks}, {@code http-date}, {@code http-server},
   * {@code jvm-noise}; or {@code none}. See docs/parity.md.
   *
   * @param names the normalisers
   * @return this check
   */
  public PortCheck normalise(String... names) {
    this.normalisers = List.of(names);
    new OutputNormaliser(normalisers); // fails now on an unknown name
    return this;
  }

  /**
   * Runs both programs and compares them.
   *
   * @return what each side showed and the differences
   * @throws Exception if a program cannot be started or prints no address
   */
  public PortResult run() throws Exception {
    if (javaMain == null || scenario == null) {
      throw new IllegalStateException("a port check needs the Java main class (java(...)) and"
          + " the scenario (scenario(...))");
    }
    if (!Files.isRegularFile(script)) {
      throw new IllegalArgumentException("no Python script " + script.toAbsolutePath()
          + " (relative paths resolve against the working directory "
          + Paths.get("").toAbsolutePath() + ")");
    }
    if (!Files.isRegularFile(scenario)) {
      throw new IllegalArgumentException("no scenario file " + scenario.toAbsolutePath()
          + " (relative paths resolve against the working directory "
          + Paths.get("").toAbsolutePath() + ")");
    }
    Python interpreter = resolvePython();
    Scenario sc = withPorterBound(Scenario.load(scenario));
    boolean capture = compareStdout || compareStderr;
    Path pyTmp = PortRun.tempDir();
    Path javaTmp = PortRun.tempDir();
    try {
      List<String> pyCommand = new ArrayList<>(List.of(
          interpreter.executable().toString(), "-u", script.toString()));
      pyArgsInto(pyCommand, pythonArgs, pyTmp);
      Map<String, String> pyEnv = expand(pythonEnv, pyTmp);
      pyEnv.putIfAbsent("PYTHONDONTWRITEBYTECODE", "1");
      PortRun.Outcome py = PortRun.run("Python", sc, pyCommand, pyEnv, pyTmp,
          interpreter.executable(), normalisers, capture);

      List<String> javaCommand = new ArrayList<>(List.of(
          Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
      if (Runtime.version().feature() >= 24) {
        javaCommand.add("--enable-native-access=ALL-UNNAMED"); // Netty's epoll (JEP 472)
      }
      pyArgsInto(javaCommand, jvmArgs, javaTmp);
      javaCommand.addAll(List.of("-cp", classpath, javaMain));
      pyArgsInto(javaCommand, javaArgs, javaTmp);
      PortRun.Outcome java = PortRun.run("Java", sc, javaCommand, expand(javaEnv, javaTmp),
          javaTmp, interpreter.executable(), normalisers, capture);
      ObjectNode a = select(py.result());
      ObjectNode b = select(java.result());
      return new PortResult(script.toString(), javaMain, sc.id(),
          "CPython " + interpreter.version() + " at " + interpreter.executable(), a, b,
          Comparison.diff(a, b, ""), py.clientErrors(), java.clientErrors());
    } finally {
      Resources.deleteTree(pyTmp);
      Resources.deleteTree(javaTmp);
    }
  }

  /**
   * Runs both programs and throws {@link AssertionError} with the side-by-side difference if the
   * clients saw different things, or if a client failed on either side.
   *
   * @throws AssertionError if the port does not behave as the Python server
   * @throws Exception if a program cannot be started or prints no address
   */
  public void assertSame() throws Exception {
    PortResult r = run();
    if (!r.matches()) {
      throw new AssertionError(r.report());
    }
  }

  /** Porter default: 10 s per client step (the suite's 3 s is tight for a cold JVM under load). */
  static final double PORTER_BOUND = 10.0;

  private static Scenario withPorterBound(Scenario sc) {
    if (sc.json().has("bound")) {
      return sc;
    }
    ObjectNode json = (ObjectNode) sc.json().deepCopy();
    json.put("bound", PORTER_BOUND);
    return new Scenario(sc.id(), sc.file(), json);
  }

  private ObjectNode select(ObjectNode result) {
    ObjectNode r = result.deepCopy();
    if (!compareStdout) {
      r.remove("stdout");
    }
    if (!compareStderr) {
      r.remove("stderr");
    }
    return r;
  }

  private Python resolvePython() {
    String named = python;
    if (named == null) {
      String property = System.getProperty("parity.python", "").trim();
      if (!property.isEmpty()) {
        named = property.split(",")[0].trim();
      }
    }
    if (named == null) {
      return Python.onPath().orElseThrow(() -> new IllegalStateException(
          "no python3 on the PATH; name the interpreter (--python /path/to/python3)"));
    }
    String n = named;
    Path exe = n.contains(File.separator) ? Paths.get(n) : which(n);
    return Python.probe(exe).orElseThrow(() -> new IllegalStateException(
        n + " does not run as a Python 3 interpreter with socketserver"));
  }

  private static Path which(String name) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Paths.get(dir, name);
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    return Paths.get(name);
  }

  private static void pyArgsInto(List<String> command, List<String> args, Path tmp) {
    for (String a : args) {
      command.add(a.replace("{tmp}", tmp.toString()));
    }
  }

  private static Map<String, String> expand(Map<String, String> env, Path tmp) {
    Map<String, String> out = new LinkedHashMap<>();
    env.forEach((k, v) -> out.put(k, v.replace("{tmp}", tmp.toString())));
    return out;
  }
}
