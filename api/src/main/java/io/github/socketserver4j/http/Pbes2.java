package io.github.socketserver4j.http;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * PKCS#5 PBES2 ({@code ENCRYPTED PRIVATE KEY}) with PBKDF2, as OpenSSL writes it, decrypted by
 * hand: JDK 17 parses only PBES2 with AES, while OpenSSL 3.0's {@code req} encrypts with
 * {@code des-ede3-cbc}, and CPython's {@code load_cert_chain} reads both.
 */
final class Pbes2 {
  private Pbes2() {}

  private static final byte[] PBES2 = oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d);
  private static final byte[] PBKDF2 = oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c);
  private static final byte[] HMAC = oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02); // + 7..11
  private static final byte[] AES = oid(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01); // + n
  private static final byte[] DES_EDE3 = oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07);

  /** A DER element: tag and content. */
  private record Tlv(int tag, byte[] content) {}

  /**
   * Decrypts a PBES2 {@code EncryptedPrivateKeyInfo}; null if it is another scheme.
   *
   * @throws IOException for a wrong password or an unsupported cipher
   */
  static byte[] decrypt(byte[] der, String password) throws IOException, GeneralSecurityException {
    List<Tlv> top = children(one(der).content());
    List<Tlv> algorithm = children(top.get(0).content());
    if (!Arrays.equals(algorithm.get(0).content(), PBES2)) {
      return null;
    }
    List<Tlv> params = children(algorithm.get(1).content());
    List<Tlv> kdf = children(params.get(0).content());
    List<Tlv> scheme = children(params.get(1).content());
    if (!Arrays.equals(kdf.get(0).content(), PBKDF2)) {
      throw new IOException("PBES2 key derivation other than PBKDF2 is not supported");
    }
    List<Tlv> pbkdf2 = children(kdf.get(1).content());
    byte[] salt = pbkdf2.get(0).content();
    int iterations = new java.math.BigInteger(1, pbkdf2.get(1).content()).intValueExact();
    String prf = "HmacSHA1";
    for (Tlv t : pbkdf2.subList(2, pbkdf2.size())) {
      if (t.tag() == 0x30) {
        byte[] o = children(t.content()).get(0).content();
        if (o.length == HMAC.length + 1 && Arrays.equals(Arrays.copyOf(o, HMAC.length), HMAC)) {
          prf = new String[] {"HmacSHA1", "HmacSHA224", "HmacSHA256", "HmacSHA384",
              "HmacSHA512"}[o[HMAC.length] - 7];
        }
      }
    }
    byte[] cipherOid = scheme.get(0).content();
    byte[] iv = scheme.get(1).content();
    String cipherName;
    int keyBytes;
    if (Arrays.equals(cipherOid, DES_EDE3)) {
      cipherName = "DESede";
      keyBytes = 24;
    } else if (cipherOid.length == AES.length + 1
        && Arrays.equals(Arrays.copyOf(cipherOid, AES.length), AES)) {
      int n = cipherOid[AES.length];
      keyBytes = n == 2 ? 16 : n == 22 ? 24 : n == 42 ? 32 : -1;
      cipherName = "AES";
      if (keyBytes < 0) {
        throw new IOException("unsupported AES mode in the encrypted key");
      }
    } else {
      throw new IOException("unsupported cipher in the encrypted key");
    }
    SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2With" + prf);
    byte[] key =
        factory
            .generateSecret(
                new PBEKeySpec(password.toCharArray(), salt, iterations, keyBytes * 8))
            .getEncoded();
    Cipher cipher = Cipher.getInstance(cipherName + "/CBC/PKCS5Padding");
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, cipherName), new IvParameterSpec(iv));
    try {
      return cipher.doFinal(top.get(1).content());
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot decrypt the private key: wrong password?", e);
    }
  }

  private static Tlv one(byte[] der) throws IOException {
    return children(der).get(0);
  }

  private static List<Tlv> children(byte[] der) throws IOException {
    List<Tlv> out = new ArrayList<>();
    int p = 0;
    while (p < der.length) {
      if (p + 2 > der.length) {
        throw new IOException("truncated DER in the private key");
      }
      int tag = der[p] & 0xff;
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
      if (start + len > der.length) {
        throw new IOException("truncated DER in the private key");
      }
      out.add(new Tlv(tag, Arrays.copyOfRange(der, start, start + len)));
      p = start + len;
    }
    return out;
  }

  private static byte[] oid(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

}
