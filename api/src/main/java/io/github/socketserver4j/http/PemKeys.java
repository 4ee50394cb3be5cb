package io.github.socketserver4j.http;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * CPython's {@code ssl.create_default_context(Purpose.CLIENT_AUTH)} plus {@code
 * load_cert_chain(certfile, keyfile, password)} for PEM files: the certificate chain from {@code
 * certfile}, the private key from {@code keyfile} or else from {@code certfile}. Keys may be PKCS#8
 * ({@code PRIVATE KEY}, or {@code ENCRYPTED PRIVATE KEY} with the password), PKCS#1 RSA ({@code RSA
 * PRIVATE KEY}) or SEC1 EC ({@code EC PRIVATE KEY}), unencrypted.
 */
final class PemKeys {
  private PemKeys() {}

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

  static SSLContext serverContext(Path certfile, Path keyfile, String password)
      throws IOException {
    String certText = read(certfile);
    String keyText = keyfile != null ? read(keyfile) : certText;
    try {
      List<Certificate> chain = new ArrayList<>();
      CertificateFactory x509 = CertificateFactory.getInstance("X.509");
      for (byte[] der : blocks(certText, "CERTIFICATE")) {
        chain.add(x509.generateCertificate(new ByteArrayInputStream(der)));
      }
      if (chain.isEmpty()) {
        throw new IOException("no PEM certificate in " + certfile);
      }
      PrivateKey key = privateKey(keyText, password, keyfile != null ? keyfile : certfile);
      char[] none = new char[0];
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("server", key, none, chain.toArray(new Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, none);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot load the certificate chain " + certfile
          + (keyfile != null ? " and key " + keyfile : "") + ": " + e.getMessage(), e);
    }
  }

  private static String read(Path file) throws IOException {
    return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
  }

  private static List<byte[]> blocks(String text, String type) {
    List<byte[]> found = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(type)) {
        found.add(decodeBody(m.group(2)));
      }
    }
    return found;
  }

  private static byte[] decodeBody(String body) {
    StringBuilder base64 = new StringBuilder();
    for (String line : body.split("\r?\n")) {
      if (!line.contains(":")) { // skip RFC 1421 headers such as Proc-Type
        base64.append(line.strip());
      }
    }
    return Base64.getDecoder().decode(base64.toString());
  }

  private static PrivateKey privateKey(String text, String password, Path file)
      throws IOException, GeneralSecurityException {
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      if (type.endsWith("PRIVATE KEY") && m.group(2).contains("Proc-Type: 4,ENCRYPTED")) {
        throw new IOException(file + ": encrypted " + type + " (OpenSSL's legacy format) is not"
            + " supported; convert it with openssl pkcs8 -topk8");
      }
      byte[] der = decodeBody(m.group(2));
      switch (type) {
        case "PRIVATE KEY":
          return pkcs8(der);
        case "ENCRYPTED PRIVATE KEY":
          if (password == null) {
            throw new IOException(file + ": the private key is encrypted and no password was given");
          }
          return pkcs8(decrypt(der, password));
        case "RSA PRIVATE KEY":
          return pkcs8(Der.pkcs8(Der.RSA_ALGORITHM, der));
        case "EC PRIVATE KEY":
          return pkcs8(Der.pkcs8(Der.ecAlgorithm(der), der));
        default:
          break;
      }
    }
    throw new IOException("no PEM private key in " + file);
  }

  private static byte[] decrypt(byte[] der, String password) throws IOException,
      GeneralSecurityException {
    byte[] plain = Pbes2.decrypt(der, password);
    if (plain != null) {
      return plain;
    }
    EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der); // PBES1 schemes
    SecretKeyFactory factory = SecretKeyFactory.getInstance(info.getAlgName());
    Cipher cipher = Cipher.getInstance(info.getAlgName());
    cipher.init(
        Cipher.DECRYPT_MODE,
        factory.generateSecret(new PBEKeySpec(password.toCharArray())),
        info.getAlgParameters());
    try {
      return info.getKeySpec(cipher).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot decrypt the private key: wrong password?", e);
    }
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    GeneralSecurityException last = null;
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }

  /** The few DER structures needed to wrap PKCS#1 and SEC1 keys in PKCS#8. */
  static final class Der {
    private Der() {}

    /** AlgorithmIdentifier { rsaEncryption, NULL }. */
    static final byte[] RSA_ALGORITHM =
        seq(concat(bytes(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01),
            bytes(0x05, 0x00)));

    /** AlgorithmIdentifier { id-ecPublicKey, the curve named in the SEC1 key's [0] }. */
    static byte[] ecAlgorithm(byte[] sec1) throws IOException {
      int[] outer = header(sec1, 0); // SEQUENCE
      int p = outer[0];
      int end = outer[0] + outer[1];
      while (p < end) {
        int tag = sec1[p] & 0xff;
        int[] h = header(sec1, p);
        if (tag == 0xa0) { // [0] parameters: the curve OID
          byte[] oid = java.util.Arrays.copyOfRange(sec1, h[0], h[0] + h[1]);
          return seq(concat(bytes(0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01), oid));
        }
        p = h[0] + h[1];
      }
      throw new IOException("the EC PRIVATE KEY names no curve");
    }

    /** PrivateKeyInfo { 0, algorithm, OCTET STRING key }. */
    static byte[] pkcs8(byte[] algorithm, byte[] key) {
      return seq(concat(bytes(0x02, 0x01, 0x00), algorithm, tlv(0x04, key)));
    }

    /** Returns {contentStart, contentLength} of the element at {@code p}. */
    private static int[] header(byte[] der, int p) throws IOException {
      if (p + 2 > der.length) {
        throw new IOException("truncated DER");
      }
      int len = der[p + 1] & 0xff;
      int start = p + 2;
      if (len > 0x80) {
        int n = len - 0x80;
        len = 0;
        for (int i = 0; i < n; i++) {
          len = (len << 8) | (der[start + i] & 0xff);
        }
        start += n;
      }
      return new int[] {start, len};
    }

    private static byte[] seq(byte[] content) {
      return tlv(0x30, content);
    }

    private static byte[] tlv(int tag, byte[] content) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
      out.write(tag);
      int n = content.length;
      if (n < 0x80) {
        out.write(n);
      } else if (n < 0x100) {
        out.write(0x81);
        out.write(n);
      } else if (n < 0x10000) {
        out.write(0x82);
        out.write(n >> 8);
        out.write(n);
      } else {
        out.write(0x83);
        out.write(n >> 16);
        out.write(n >> 8);
        out.write(n);
      }
      out.write(content, 0, n);
      return out.toByteArray();
    }

    private static byte[] bytes(int... values) {
      byte[] b = new byte[values.length];
      for (int i = 0; i < values.length; i++) {
        b[i] = (byte) values[i];
      }
      return b;
    }

    private static byte[] concat(byte[]... parts) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (byte[] p : parts) {
        out.write(p, 0, p.length);
      }
      return out.toByteArray();
    }
  }
}
