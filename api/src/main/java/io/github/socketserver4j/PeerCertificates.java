package io.github.socketserver4j;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A certificate as CPython's {@code SSLSocket.getpeercert()} shows it ({@code _ssl.c}'s {@code
 * _decode_certificate}): a dict with {@code subject}, {@code issuer}, {@code version}, {@code
 * serialNumber}, {@code notBefore}, {@code notAfter} and, when the certificate has them, {@code
 * subjectAltName}, {@code OCSP}, {@code caIssuers} and {@code crlDistributionPoints}, in that
 * order. Python's tuples are unmodifiable {@link List}s, its strings {@link String}s and {@code
 * version} an {@link Integer}, so the structure compares equal to CPython's once its tuples are
 * read as lists.
 */
final class PeerCertificates {
  /** OpenSSL's long names ({@code OBJ_nid2ln}) of the attributes certificates name. */
  private static final Map<String, String> NAMES =
      Map.ofEntries(
          Map.entry("2.5.4.3", "commonName"),
          Map.entry("2.5.4.4", "surname"),
          Map.entry("2.5.4.5", "serialNumber"),
          Map.entry("2.5.4.6", "countryName"),
          Map.entry("2.5.4.7", "localityName"),
          Map.entry("2.5.4.8", "stateOrProvinceName"),
          Map.entry("2.5.4.9", "streetAddress"),
          Map.entry("2.5.4.10", "organizationName"),
          Map.entry("2.5.4.11", "organizationalUnitName"),
          Map.entry("2.5.4.12", "title"),
          Map.entry("2.5.4.13", "description"),
          Map.entry("2.5.4.15", "businessCategory"),
          Map.entry("2.5.4.17", "postalCode"),
          Map.entry("2.5.4.41", "name"),
          Map.entry("2.5.4.42", "givenName"),
          Map.entry("2.5.4.43", "initials"),
          Map.entry("2.5.4.44", "generationQualifier"),
          Map.entry("2.5.4.46", "dnQualifier"),
          Map.entry("2.5.4.65", "pseudonym"),
          Map.entry("2.5.4.97", "organizationIdentifier"),
          Map.entry("1.2.840.113549.1.9.1", "emailAddress"),
          Map.entry("0.9.2342.19200300.100.1.1", "userId"),
          Map.entry("0.9.2342.19200300.100.1.25", "domainComponent"),
          Map.entry("1.3.6.1.4.1.311.60.2.1.1", "jurisdictionLocalityName"),
          Map.entry("1.3.6.1.4.1.311.60.2.1.2", "jurisdictionStateOrProvinceName"),
          Map.entry("1.3.6.1.4.1.311.60.2.1.3", "jurisdictionCountryName"));

  private static final String SUBJECT_ALT_NAME = "2.5.29.17";
  private static final String AUTHORITY_INFO_ACCESS = "1.3.6.1.5.5.7.1.1";
  private static final String CRL_DISTRIBUTION_POINTS = "2.5.29.31";
  private static final String OCSP = "1.3.6.1.5.5.7.48.1";
  private static final String CA_ISSUERS = "1.3.6.1.5.5.7.48.2";

  /** OpenSSL's {@code ASN1_TIME_print}: {@code "Jan  5 09:03:00 2026 GMT"}. */
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss yyyy 'GMT'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private PeerCertificates() {}

  /** CPython's {@code _decode_certificate}. */
  static Map<String, Object> decode(X509Certificate certificate) {
    Map<String, Object> dict = new LinkedHashMap<>();
    dict.put("subject", name(certificate.getSubjectX500Principal().getEncoded()));
    dict.put("issuer", name(certificate.getIssuerX500Principal().getEncoded()));
    dict.put("version", certificate.getVersion());
    dict.put("serialNumber", serial(certificate.getSerialNumber()));
    dict.put("notBefore", time(certificate.getNotBefore()));
    dict.put("notAfter", time(certificate.getNotAfter()));
    Der altNames = extension(certificate, SUBJECT_ALT_NAME);
    if (altNames != null) {
      List<Object> names = new ArrayList<>();
      for (Der name : altNames.children()) {
        names.add(generalName(name));
      }
      dict.put("subjectAltName", Collections.unmodifiableList(names));
    }
    putIfAny(dict, "OCSP", accessUris(certificate, OCSP));
    putIfAny(dict, "caIssuers", accessUris(certificate, CA_ISSUERS));
    putIfAny(dict, "crlDistributionPoints", crlUris(certificate));
    return Collections.unmodifiableMap(dict);
  }

  /** {@code _create_tuple_for_X509_NAME}: one tuple per RDN, of (name, value) pairs. */
  static List<Object> name(byte[] encoded) {
    return name(Der.parse(encoded));
  }

  private static List<Object> name(Der sequence) {
    List<Object> rdns = new ArrayList<>();
    for (Der rdn : sequence.children()) {
      List<Object> pairs = new ArrayList<>();
      for (Der attribute : rdn.children()) {
        List<Der> typeAndValue = attribute.children();
        pairs.add(List.of(objectName(typeAndValue.get(0).oid()), typeAndValue.get(1).text()));
      }
      rdns.add(Collections.unmodifiableList(pairs));
    }
    return Collections.unmodifiableList(rdns);
  }

  /** OpenSSL's {@code OBJ_obj2txt(..., 0)}: the long name, or the dotted form if it has none. */
  private static String objectName(String oid) {
    return NAMES.getOrDefault(oid, oid);
  }

  /** OpenSSL's {@code i2a_ASN1_INTEGER}: upper-case hex of the magnitude, "00" for zero. */
  static String serial(BigInteger serial) {
    byte[] bytes = serial.abs().toByteArray();
    int from = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
    StringBuilder s = new StringBuilder(serial.signum() < 0 ? "-" : "");
    for (int i = from; i < bytes.length; i++) {
      if (i > from && (i - from) % 35 == 0) {
        s.append("\\\n");
      }
      s.append(String.format("%02X", bytes[i] & 0xFF));
    }
    return s.toString();
  }

  private static String time(Date date) {
    return TIME.format(date.toInstant());
  }

  /** {@code _get_peer_alt_names}: one (type, value) pair per {@code GeneralName}. */
  private static List<Object> generalName(Der name) {
    int number = name.tag & 0x1F;
    switch (number) {
      case 1:
        return List.of("email", name.text());
      case 2:
        return List.of("DNS", name.text());
      case 4:
        return List.of("DirName", name(name.children().get(0)));
      case 6:
        return List.of("URI", name.text());
      case 7:
        return List.of("IP Address", ipAddress(name.content()));
      case 8:
        return List.of("Registered ID", objectName(name.oid()));
      case 3:
        return List.of("X400Name", "<unsupported>");
      case 5:
        return List.of("EdiPartyName", "<unsupported>");
      default:
        return List.of("othername", "<unsupported>");
    }
  }

  /** CPython's own rendering: dotted IPv4, eight upper-case hex groups for IPv6. */
  private static String ipAddress(byte[] ip) {
    if (ip.length == 4) {
      return (ip[0] & 0xFF) + "." + (ip[1] & 0xFF) + "." + (ip[2] & 0xFF) + "." + (ip[3] & 0xFF);
    }
    if (ip.length == 16) {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < 16; i += 2) {
        s.append(i == 0 ? "" : ":").append(Integer.toHexString(((ip[i] & 0xFF) << 8)
            | (ip[i + 1] & 0xFF)).toUpperCase(Locale.ROOT));
      }
      return s.toString();
    }
    return "<invalid>";
  }

  /** {@code _get_aia_uri}: the URIs of the Authority Information Access entries of a method. */
  private static List<Object> accessUris(X509Certificate certificate, String method) {
    List<Object> uris = new ArrayList<>();
    Der access = extension(certificate, AUTHORITY_INFO_ACCESS);
    if (access != null) {
      for (Der description : access.children()) {
        List<Der> parts = description.children();
        if (parts.get(0).oid().equals(method) && parts.get(1).isContext(6)) {
          uris.add(parts.get(1).text());
        }
      }
    }
    return uris;
  }

  /** {@code _get_crl_dp}: the URIs of each distribution point's full name. */
  private static List<Object> crlUris(X509Certificate certificate) {
    List<Object> uris = new ArrayList<>();
    Der points = extension(certificate, CRL_DISTRIBUTION_POINTS);
    if (points != null) {
      for (Der point : points.children()) {
        for (Der field : point.children()) {
          if (field.tag != 0xA0) {
            continue; // reasons, cRLIssuer
          }
          for (Der pointName : field.children()) {
            if (pointName.tag != 0xA0) {
              continue; // nameRelativeToCRLIssuer
            }
            for (Der name : pointName.children()) {
              if (name.isContext(6)) {
                uris.add(name.text());
              }
            }
          }
        }
      }
    }
    return uris;
  }

  private static void putIfAny(Map<String, Object> dict, String key, List<Object> values) {
    if (!values.isEmpty()) {
      dict.put(key, Collections.unmodifiableList(values));
    }
  }

  /** An extension's value, parsed out of its OCTET STRING wrapper; null when absent. */
  private static Der extension(X509Certificate certificate, String oid) {
    byte[] wrapped = certificate.getExtensionValue(oid);
    return wrapped == null ? null : Der.parse(Der.parse(wrapped).content());
  }
}
