package io.github.socketserver4j.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CPython 3.14's {@code HTTPSServer}: PEM files made by {@code openssl} (an encrypted PKCS#8 RSA
 * key with a password; a SEC1 EC key inside the certificate file), the handshake before the
 * handler runs, and ALPN {@code http/1.1}.
 */
class HTTPSServerTest {
  @TempDir Path dir;

  private void openssl(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
  }

  private SSLContext trusting(Path cert) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(cert)) {
      trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(null, tmf.getTrustManagers(), null);
    return c;
  }

  private String get(SSLContext client, InetSocketAddress address, String[] alpn) throws Exception {
    try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(address.getAddress(), address.getPort())) {
      SSLParameters params = s.getSSLParameters();
      params.setApplicationProtocols(alpn);
      s.setSSLParameters(params);
      s.setSoTimeout(30_000);
      s.startHandshake();
      String negotiated = s.getApplicationProtocol();
      s.getOutputStream().write("GET /hello.txt HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      return negotiated + "|" + response;
    }
  }

  @Test
  @DisplayName("certfile + keyfile + password (encrypted PKCS#8): GET over TLS, ALPN http/1.1")
  void encryptedKeyWithPassword() throws Exception {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-keyout", "key.pem", "-out", "cert.pem",
        "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
        "-passout", "pass:s3cret");
    assertTrue(Files.readString(dir.resolve("key.pem")).contains("ENCRYPTED PRIVATE KEY"));
    Path root = Files.createDirectory(dir.resolve("root"));
    Files.writeString(root.resolve("hello.txt"), "hello tls\n");
    try (Serving s =
        new Serving(
            new ThreadingHTTPSServer(
                new InetSocketAddress("127.0.0.1", 0),
                () -> new SimpleHTTPRequestHandler(root) {
                  @Override
                  public void logMessage(String format, Object... args) {}
                },
                true, dir.resolve("cert.pem"), dir.resolve("key.pem"), "s3cret", null))) {
      String result = get(trusting(dir.resolve("cert.pem")), s.address(), new String[] {"h2", "http/1.1"});
      assertTrue(result.startsWith("http/1.1|HTTP/1.0 200 OK\r\n"), result);
      assertTrue(result.endsWith("\r\n\r\nhello tls\n"), result);
    }
  }

  @Test
  @DisplayName("a SEC1 EC key in the certificate file (CPython's keyfile=None)")
  void keyInCertfile() throws Exception {
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.pem");
    openssl("req", "-x509", "-key", "ec.pem", "-out", "eccert.pem", "-days", "2",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1");
    Path both = dir.resolve("both.pem");
    Files.writeString(both, Files.readString(dir.resolve("eccert.pem")) + Files.readString(dir.resolve("ec.pem")));
    Path root = Files.createDirectory(dir.resolve("root"));
    Files.writeString(root.resolve("hello.txt"), "ec\n");
    try (Serving s =
        new Serving(new HTTPSServer(new InetSocketAddress("127.0.0.1", 0),
            () -> new SimpleHTTPRequestHandler(root) {
              @Override
              public void logMessage(String format, Object... args) {}
            }, both))) {
      String result = get(trusting(dir.resolve("eccert.pem")), s.address(), new String[0]);
      assertTrue(result.endsWith("\r\n\r\nec\n"), result);
    }
  }

  @Test
  @DisplayName("a wrong password fails the constructor, which closes the socket")
  void wrongPassword() throws Exception {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-keyout", "key.pem", "-out", "cert.pem",
        "-days", "2", "-subj", "/CN=localhost", "-passout", "pass:right");
    IOException e =
        assertThrows(
            IOException.class,
            () -> new HTTPSServer(new InetSocketAddress("127.0.0.1", 0),
                BaseHTTPRequestHandler::new, true, dir.resolve("cert.pem"),
                dir.resolve("key.pem"), "wrong", null));
    assertTrue(e.getMessage().contains("password"), e.getMessage());
    io.github.socketserver4j.testing.TestRules.assertNoServerThreads();
  }

  @Test
  @DisplayName("a client that fails the handshake never reaches a handler; others are served")
  void plainClientOnTlsPort() throws Exception {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
        "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1");
    Path root = Files.createDirectory(dir.resolve("root"));
    Files.writeString(root.resolve("hello.txt"), "ok\n");
    try (Serving s =
        new Serving(new ThreadingHTTPSServer(new InetSocketAddress("127.0.0.1", 0),
            () -> new SimpleHTTPRequestHandler(root) {
              @Override
              public void logMessage(String format, Object... args) {}
            }, true, dir.resolve("cert.pem"), dir.resolve("key.pem"), null, List.of()))) {
      try (HttpClient plain = s.client()) {
        plain.out.write("GET /hello.txt HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] answer = plain.readAll();
        assertFalse(new String(answer, StandardCharsets.ISO_8859_1).contains("ok\n"));
      } catch (java.net.SocketException reset) {
        // the TLS layer may reset the connection: either way no response
      }
      assertTrue(get(trusting(dir.resolve("cert.pem")), s.address(), new String[0]).endsWith("ok\n"));
    }
  }
}
