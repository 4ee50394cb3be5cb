package io.github.socketserver4j.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates for mutual TLS, made by {@code openssl} (from Debian's package) in a directory of
 * the test's: a server certificate for {@code localhost}, and a client certificate with a subject
 * and extensions that exercise every part of CPython's {@code getpeercert()} dict (several RDNs,
 * a UTF-8 value, every subjectAltName kind, OCSP, caIssuers, CRL distribution points). Both are
 * self-signed; each side trusts the other's certificate directly.
 */
public final class PeerCerts {
  private static final String PASSWORD = "socketserver4j";

  /** The client certificate's subject, in openssl's {@code -subj} form. */
  public static final String CLIENT_SUBJECT =
      "/C=DE/ST=Berlin/O=Ex Org/OU=Unit A+OU=Unit B/CN=Grüße client/emailAddress=a@example.org"
          + "/DC=example/serialNumber=42";

  private final Path dir;

  private PeerCerts(Path dir) {
    this.dir = dir;
  }

  /** Generates both certificates into {@code dir}. */
  public static PeerCerts create(Path dir) throws IOException {
    PeerCerts certs = new PeerCerts(dir);
    Files.writeString(
        dir.resolve("client.cnf"),
        "[dir_sect]\nC=UK\nO=Dir Org\nCN=dir name\n"
            + "[ext]\nsubjectAltName=DNS:client.example,IP:127.0.0.1,IP:2001:db8::1,"
            + "email:a@example.org,URI:https://example.org/x,RID:1.2.3.4,dirName:dir_sect,"
            + "otherName:1.2.3.4;UTF8:hello\n"
            + "authorityInfoAccess=OCSP;URI:http://ocsp.example.org/,"
            + "caIssuers;URI:http://ca.example.org/ca.crt\n"
            + "crlDistributionPoints=URI:http://crl.example.org/a.crl\n");
    certs.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", "server.key", "-out", "server.crt", "-days", "2",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
    certs.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", "client.key", "-out", "client.crt", "-days", "2", "-utf8",
        "-multivalue-rdn", "-subj", CLIENT_SUBJECT, "-set_serial", "0x00c0ffee",
        "-config", "client.cnf", "-extensions", "ext");
    certs.openssl("pkcs12", "-export", "-in", "client.crt", "-inkey", "client.key",
        "-out", "client.p12", "-passout", "pass:" + PASSWORD, "-name", "client");
    return certs;
  }

  /** The server's certificate (PEM). */
  public Path serverCertificate() {
    return dir.resolve("server.crt");
  }

  /** The server's private key (PKCS#8 PEM). */
  public Path serverKey() {
    return dir.resolve("server.key");
  }

  /** The client's certificate (PEM). */
  public Path clientCertificate() {
    return dir.resolve("client.crt");
  }

  /** The client's certificate, parsed. */
  public X509Certificate client() throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(clientCertificate())) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /**
   * A TLS client context that trusts the server's certificate and, when {@code withCertificate},
   * presents the client's.
   */
  public SSLContext clientContext(boolean withCertificate)
      throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(serverCertificate())) {
      trust.setCertificateEntry(
          "server", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (withCertificate) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(dir.resolve("client.p12"))) {
        keys.load(in, PASSWORD.toCharArray());
      }
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, PASSWORD.toCharArray());
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }

  /**
   * CPython 3.13's {@code getpeercert()} dict of the client certificate, as JSON: {@code
   * ssl._ssl._test_decode_cert}, the function {@code getpeercert()} calls ({@code
   * _decode_certificate}), run by the newest pyenv 3.13.
   */
  public String pythonDictJson() throws IOException {
    return pythonDictJson(clientCertificate());
  }

  /** JSON as Python's {@code json.dumps} writes it (ensure_ascii, ", " and ": "). */
  public static String json(Object value) {
    StringBuilder s = new StringBuilder();
    writeJson(value, s);
    return s.toString();
  }

  private static void writeJson(Object value, StringBuilder s) {
    if (value instanceof Map) {
      s.append('{');
      String sep = "";
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        s.append(sep);
        writeJson(e.getKey(), s);
        s.append(": ");
        writeJson(e.getValue(), s);
        sep = ", ";
      }
      s.append('}');
    } else if (value instanceof List) {
      s.append('[');
      String sep = "";
      for (Object item : (List<?>) value) {
        s.append(sep);
        writeJson(item, s);
        sep = ", ";
      }
      s.append(']');
    } else if (value instanceof String) {
      s.append('"');
      for (char c : ((String) value).toCharArray()) {
        if (c == '"' || c == '\\') {
          s.append('\\').append(c);
        } else if (c < 0x20 || c > 0x7E) {
          s.append(String.format("\\u%04x", (int) c));
        } else {
          s.append(c);
        }
      }
      s.append('"');
    } else {
      s.append(value);
    }
  }

  /**
   * CPython 3.13's {@code getpeercert()} dict of the PEM certificate {@code cert}, as JSON (see
   * {@link #pythonDictJson()}).
   */
  public static String pythonDictJson(Path cert) throws IOException {
    String script =
        "import json, ssl, sys\n"
            + "print(json.dumps(ssl._ssl._test_decode_cert(sys.argv[1])))\n";
    return run(cert.getParent(), List.of(python313().toString(), "-c", script, cert.toString()))
        .strip();
  }

  /** A self-signed EC certificate with {@code subject} (openssl's {@code -subj}), serial 0. */
  public static Path selfSigned(Path dir, String name, String subject) throws IOException {
    run(dir, List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", name + ".key", "-out", name + ".crt",
        "-days", "2", "-set_serial", "0", "-subj", subject));
    return dir.resolve(name + ".crt");
  }

  /** The newest installed pyenv CPython 3.13. */
  public static Path python313() throws IOException {
    Path versions = Path.of(System.getProperty("user.home"), ".pyenv", "versions");
    try (Stream<Path> dirs = Files.list(versions)) {
      return dirs
          .filter(d -> d.getFileName().toString().startsWith("3.13."))
          .map(d -> d.resolve("bin/python3"))
          .filter(Files::isExecutable)
          .max(Path::compareTo)
          .orElseThrow(() -> new IOException("no pyenv CPython 3.13 in " + versions));
    }
  }

  private void openssl(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    run(dir, command);
  }

  private static String run(Path dir, List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      byte[] err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(TestRules.waitBound().toMillis() * 3, TimeUnit.MILLISECONDS)
          || p.exitValue() != 0) {
        throw new IOException(command + " failed: " + new String(err, UTF_8));
      }
      return new String(out, UTF_8);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + command, e);
    } finally {
      p.destroyForcibly();
    }
  }
}
