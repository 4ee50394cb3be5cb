package io.github.socketserver4j.parity;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Porter mode on the command line (docs/parity.md): {@code java -jar socketserver4j-parity.jar
 * porter ...}, or {@code ParityRunner --porter ...}. Parses the options into a {@link PortCheck},
 * prints its report, and exits 0 only if the port matched.
 */
final class PorterMode {
  private PorterMode() {}

  static final String ADDRESS_RULE = "Both programs print their bound address as their first line"
      + " of stdout: Python print(server.server_address, flush=True), Java"
      + " System.out.println(server.serverAddress()).";

  static final String USAGE = """
      porter mode: --porter --python-script server.py --java-main com.example.Main \\
          --scenario clients.json [options]
        (or: java -jar socketserver4j-parity.jar porter --python-script ... )

        --python-script FILE   the Python server, run as PYTHON -u FILE ARGS
        --java-main CLASS      its Java port, run as java [JVM-ARGS] -cp CP CLASS ARGS
        --scenario FILE        the client steps (docs/parity.md, "Scenario format")
        --python PATH          the interpreter; default python3 from the PATH (the one used
                               is printed)
        --java-classpath CP    the Java side's class path; default the runner's own
        --python-args "A B"    arguments after the script (split at spaces; quote with ' or ")
        --java-args "A B"      arguments after the main class
        --jvm-args "A B"       JVM options of the Java side (-Dx=y, -Xmx64m)
        --env NAME=VALUE       environment of both programs (repeatable)
        --python-env NAME=VALUE, --java-env NAME=VALUE   environment of one side
        --compare-output WHAT  also compare the programs' output: stdout, stderr or both
        --normalise LIST       normalisers, comma-separated (default all): ports, paths,
                               timestamps, threads, tracebacks, http-date, http-server,
                               jvm-noise; or none
      {tmp} in arguments and environment values becomes a new directory for each side (for
      Unix socket paths). Relative paths resolve against the working directory.
      """ + ADDRESS_RULE;

  /** Runs porter mode; returns the exit status (0: the port matched). */
  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      out.println(USAGE);
      return 0;
    }
    PortCheck check;
    try {
      check = parse(args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println(USAGE);
      return 2;
    }
    PortResult r = check.run();
    out.print(r.report());
    out.flush();
    if (!r.matches()) {
      err.println(r.diff().isEmpty()
          ? "porter mode: a client failed, so the port was not checked; see above"
          : "porter mode: the clients saw different things; see above (left: Python)");
      return 1;
    }
    return 0;
  }

  static PortCheck parse(String[] args) {
    String script = null;
    String javaMain = null;
    String scenario = null;
    List<Runnable> later = new ArrayList<>();
    PortCheck[] check = new PortCheck[1];
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + option + " needs a value");
      }
      String value = args[++i];
      switch (option) {
        case "--python-script" -> script = value;
        case "--java-main" -> javaMain = value;
        case "--scenario" -> scenario = value;
        case "--python" -> later.add(() -> check[0].interpreter(value));
        case "--java-classpath" -> later.add(() -> check[0].javaClasspath(value));
        case "--python-args" -> later.add(() -> check[0].pythonArgs(words(value)));
        case "--java-args" -> later.add(() -> check[0].javaArgs(words(value)));
        case "--jvm-args" -> later.add(() -> check[0].jvmArgs(words(value)));
        case "--env" -> later.add(() -> check[0].env(name(value), value(value)));
        case "--python-env" -> later.add(() -> check[0].pythonEnv(name(value), value(value)));
        case "--java-env" -> later.add(() -> check[0].javaEnv(name(value), value(value)));
        case "--compare-output" -> later.add(() -> check[0].compareOutput(
            value.equals("stdout") || value.equals("both"),
            value.equals("stderr") || value.equals("both")));
        case "--normalise", "--normalize" -> later.add(() -> check[0].normalise(value.split(",")));
        default -> throw new IllegalArgumentException("unknown option " + option);
      }
      if (option.equals("--compare-output") && !List.of("stdout", "stderr", "both").contains(value)) {
        throw new IllegalArgumentException("--compare-output takes stdout, stderr or both");
      }
    }
    if (script == null || javaMain == null || scenario == null) {
      throw new IllegalArgumentException(
          "porter mode needs --python-script, --java-main and --scenario");
    }
    check[0] = PortCheck.python(script).java(javaMain).scenario(scenario);
    later.forEach(Runnable::run);
    return check[0];
  }

  private static String name(String assignment) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("environment setting " + assignment + " is not NAME=VALUE");
    }
    return assignment.substring(0, eq);
  }

  private static String value(String assignment) {
    return assignment.substring(assignment.indexOf('=') + 1);
  }

  /** Splits at spaces; '...' and "..." keep spaces. */
  static String[] words(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (char c : text.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          out.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (quote != 0) {
      throw new IllegalArgumentException("unclosed quote in " + text);
    }
    if (inWord) {
      out.add(word.toString());
    }
    return out.toArray(new String[0]);
  }
}
