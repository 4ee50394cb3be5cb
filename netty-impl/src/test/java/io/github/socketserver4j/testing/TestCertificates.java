package io.github.socketserver4j.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made once per JVM by the
 * JDK's own {@code keytool} in a child process, so the tests need no certificate library.
 */
public final class TestCertificates {
  private static final char[] PASSWORD = "socketserver4j".toCharArray();
  private static KeyStore keyStore;

  private TestCertificates() {}

  /** The key store holding the server's key and certificate (alias {@code server}). */
  public static synchronized KeyStore keyStore() throws IOException, GeneralSecurityException {
    if (keyStore == null) {
      keyStore = generate();
    }
    return keyStore;
  }

  /** Key managers for a TLS server. */
  public static KeyManagerFactory keyManagers() throws IOException, GeneralSecurityException {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keyStore(), PASSWORD);
    return kmf;
  }

  /** Trust managers that trust exactly the test certificate. */
  public static TrustManagerFactory trustManagers() throws IOException, GeneralSecurityException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(keyStore());
    return tmf;
  }

  /** A client context (TLS 1.3) that trusts the test certificate. */
  public static SSLContext clientContext() throws IOException, GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(null, trustManagers().getTrustManagers(), null);
    return context;
  }

  /**
   * Writes the certificate as PEM to {@code file}: a trust file for tools such as HAProxy ({@code
   * ca-file}) and openssl.
   */
  public static Path writeCertificatePem(Path file) throws IOException, GeneralSecurityException {
    Files.writeString(file, pem("CERTIFICATE", keyStore().getCertificate("server").getEncoded()));
    return file;
  }

  /**
   * Writes the certificate and its private key (PKCS#8) as PEM to {@code file}: what HAProxy's
   * {@code crt} takes for a TLS frontend.
   */
  public static Path writeKeyAndCertificatePem(Path file)
      throws IOException, GeneralSecurityException {
    byte[] key = keyStore().getKey("server", PASSWORD).getEncoded();
    Files.writeString(
        file,
        pem("CERTIFICATE", keyStore().getCertificate("server").getEncoded())
            + pem("PRIVATE KEY", key));
    return file;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static KeyStore generate() throws IOException, GeneralSecurityException {
    Path dir = Files.createTempDirectory("socketserver4j-tls");
    Path file = dir.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> command =
        List.of(
            keytool.toString(),
            "-genkeypair",
            "-alias", "server",
            "-keyalg", "EC",
            "-groupname", "secp256r1",
            "-dname", "CN=localhost",
            "-ext", "SAN=dns:localhost,ip:127.0.0.1",
            "-validity", "2",
            "-storetype", "PKCS12",
            "-keystore", file.toString(),
            "-storepass", new String(PASSWORD),
            "-keypass", new String(PASSWORD));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(process.getInputStream().readAllBytes());
      if (!process.waitFor(TestRules.waitBound().toMillis() * 3, TimeUnit.MILLISECONDS)
          || process.exitValue() != 0) {
        throw new IOException("keytool failed: " + output);
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(file)) {
        ks.load(in, PASSWORD);
      }
      return ks;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for keytool", e);
    } finally {
      process.destroyForcibly();
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }
}
