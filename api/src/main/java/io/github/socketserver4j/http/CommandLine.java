package io.github.socketserver4j.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of {@code python -m http.server} (CPython 3.13, plus 3.14's TLS options), parsed as
 * {@code argparse} does: {@code -b/--bind ADDRESS}, {@code -d/--directory DIRECTORY}, {@code
 * -p/--protocol VERSION}, {@code --tls-cert}, {@code --tls-key}, {@code --tls-password-file} and an
 * optional port (8000). Long options may be abbreviated and written {@code --opt=value}; short ones
 * {@code -bVALUE}.
 */
final class CommandLine {
  static final String PROG = "http-server";

  static final String USAGE =
      "usage: " + PROG + " [-h] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [--tls-cert PATH]\n"
          + "                   [--tls-key PATH] [--tls-password-file PATH]\n"
          + "                   [port]\n";

  static final String HELP =
      USAGE
          + "\npositional arguments:\n"
          + "  port                  bind to this port (default: 8000)\n"
          + "\noptions:\n"
          + "  -h, --help            show this help message and exit\n"
          + "  -b, --bind ADDRESS    bind to this address (default: all interfaces)\n"
          + "  -d, --directory DIRECTORY\n"
          + "                        serve this directory (default: current directory)\n"
          + "  -p, --protocol VERSION\n"
          + "                        conform to this HTTP version (default: HTTP/1.0)\n"
          + "  --tls-cert PATH       path to the TLS certificate chain file\n"
          + "  --tls-key PATH        path to the TLS key file\n"
          + "  --tls-password-file PATH\n"
          + "                        path to the password file for the TLS key\n";

  private static final String[] LONG = {
    "--bind", "--directory", "--protocol", "--tls-cert", "--tls-key", "--tls-password-file", "--help"
  };

  /** A usage error: argparse prints the usage and {@code PROG: error: message}, and exits 2. */
  static final class UsageError extends Exception {
    UsageError(String message) {
      super(message);
    }
  }

  /** Thrown for {@code -h}: print {@link #HELP} and exit 0. */
  static final class HelpRequested extends Exception {
    HelpRequested() {
      super("help");
    }
  }

  String bind;
  String directory = System.getProperty("user.dir");
  String protocol = "HTTP/1.0";
  String tlsCert;
  String tlsKey;
  String tlsPassword;
  int port = 8000;

  static CommandLine parse(String[] args) throws UsageError, HelpRequested {
    CommandLine c = new CommandLine();
    List<String> positional = new ArrayList<>();
    String tlsPasswordFile = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String value = null;
      String option;
      if (a.startsWith("--") && a.length() > 2) {
        int eq = a.indexOf('=');
        option = expand(eq >= 0 ? a.substring(0, eq) : a);
        if (eq >= 0) {
          value = a.substring(eq + 1);
        }
      } else if (a.startsWith("-") && a.length() > 1 && !isNumber(a)) {
        option = shortOption(a.substring(0, 2));
        if (a.length() > 2) {
          value = a.substring(2);
        }
      } else {
        positional.add(a);
        continue;
      }
      if (option.equals("--help")) {
        throw new HelpRequested();
      }
      if (value == null) {
        if (i + 1 >= args.length || (args[i + 1].startsWith("-") && !isNumber(args[i + 1]))) {
          throw new UsageError("argument " + display(option) + ": expected one argument");
        }
        value = args[++i];
      }
      switch (option) {
        case "--bind":
          c.bind = value;
          break;
        case "--directory":
          c.directory = value;
          break;
        case "--protocol":
          c.protocol = value;
          break;
        case "--tls-cert":
          c.tlsCert = value;
          break;
        case "--tls-key":
          c.tlsKey = value;
          break;
        default:
          tlsPasswordFile = value;
          break;
      }
    }
    if (positional.size() > 1) {
      throw new UsageError(
          "unrecognized arguments: " + String.join(" ", positional.subList(1, positional.size())));
    }
    if (!positional.isEmpty()) {
      try {
        c.port = Integer.parseInt(positional.get(0).strip());
      } catch (NumberFormatException e) {
        throw new UsageError(
            "argument port: invalid int value: " + PyText.repr(positional.get(0)));
      }
    }
    if (c.tlsCert == null && c.tlsKey != null) {
      throw new UsageError("--tls-key requires --tls-cert to be set");
    }
    if (tlsPasswordFile != null) {
      if (c.tlsCert == null) {
        throw new UsageError("--tls-password-file requires --tls-cert to be set");
      }
      try {
        c.tlsPassword = Files.readString(Path.of(tlsPasswordFile), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new UsageError("Failed to read TLS password file: " + e);
      }
    }
    return c;
  }

  private static boolean isNumber(String a) {
    return a.matches("-\\d+");
  }

  private static String expand(String prefix) throws UsageError {
    List<String> matches = new ArrayList<>();
    for (String o : LONG) {
      if (o.equals(prefix)) {
        return o;
      }
      if (o.startsWith(prefix)) {
        matches.add(o);
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    if (matches.isEmpty()) {
      throw new UsageError("unrecognized arguments: " + prefix);
    }
    throw new UsageError("ambiguous option: " + prefix + " could match "
        + String.join(", ", matches));
  }

  private static String shortOption(String flag) throws UsageError {
    switch (flag) {
      case "-b":
        return "--bind";
      case "-d":
        return "--directory";
      case "-p":
        return "--protocol";
      case "-h":
        return "--help";
      default:
        throw new UsageError("unrecognized arguments: " + flag);
    }
  }

  private static String display(String option) {
    switch (option) {
      case "--bind":
        return "-b/--bind";
      case "--directory":
        return "-d/--directory";
      case "--protocol":
        return "-p/--protocol";
      default:
        return option;
    }
  }
}
