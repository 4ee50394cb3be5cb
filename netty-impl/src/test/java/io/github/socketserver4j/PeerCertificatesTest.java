package io.github.socketserver4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.socketserver4j.testing.PeerCerts;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: {@code StreamRequest.getpeercert()}'s decoding ({@link PeerCertificates}) against
 * CPython 3.13's {@code _decode_certificate} for certificates the TLS tests do not cover. The
 * whole-map comparison over real mutual TLS is {@code NettyContextTest#mutualTls}.
 */
class PeerCertificatesTest {
  @TempDir Path dir;

  @Test
  @DisplayName("issue 14 getpeercert: every attribute type with a name has OpenSSL's long name; serial 0 is '00'")
  void attributeNamesAndZeroSerialMatchCPython() throws Exception {
    Path cert =
        PeerCerts.selfSigned(
            dir,
            "names",
            "/CN=cn/SN=sur/serialNumber=s1/C=DE/L=loc/ST=st/street=str/O=org/OU=ou/title=t"
                + "/description=d/businessCategory=bc/postalCode=12345/name=nm/GN=gn/initials=in"
                + "/generationQualifier=jr/dnQualifier=dq/pseudonym=ps"
                + "/organizationIdentifier=NTRDE-1/emailAddress=e@x.org/UID=u1/DC=dc"
                + "/jurisdictionL=jl/jurisdictionST=jst/jurisdictionC=DE");
    X509Certificate x509;
    try (InputStream in = Files.newInputStream(cert)) {
      x509 = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    assertEquals(PeerCerts.pythonDictJson(cert), PeerCerts.json(PeerCertificates.decode(x509)));
  }

  @Test
  @DisplayName("issue 14 getpeercert: serialNumber is i2a_ASN1_INTEGER's upper-case hex of the magnitude")
  void serialNumbers() {
    assertEquals("00", PeerCertificates.serial(BigInteger.ZERO));
    assertEquals("C0FFEE", PeerCertificates.serial(new BigInteger("c0ffee", 16)));
    assertEquals("0F", PeerCertificates.serial(BigInteger.valueOf(15)));
    assertEquals("80", PeerCertificates.serial(BigInteger.valueOf(128))); // no sign byte
    assertEquals("-01", PeerCertificates.serial(BigInteger.valueOf(-1)));
  }
}
