package io.github.socketserver4j.bench;

/**
 * One server of the benchmark: an implementation, a KIND of {@code echo-server}, and the JDK it
 * runs on.
 *
 * @param impl {@code ss4j}, {@code cpython}, {@code netty}, {@code javanet-platform} or {@code
 *     javanet-virtual}
 * @param kind the KIND argument, such as {@code threading-tcp}
 * @param jdk the JDK's home, or null for CPython
 * @param jdkLabel a short name of the JDK for the table, such as {@code 25}
 * @param jvmOpts extra JVM flags of this row, or empty
 * @param variant what the flags change, for the label, or empty
 */
record ServerSpec(
    String impl, String kind, String jdk, String jdkLabel, String jvmOpts, String variant) {

  ServerSpec(String impl, String kind, String jdk, String jdkLabel) {
    this(impl, kind, jdk, jdkLabel, "", "");
  }

  /** The row label, such as {@code ss4j threading-tcp (JDK 25)}. */
  String label() {
    switch (impl) {
      case "ss4j":
        return "ss4j " + kind + jdkSuffix();
      case "cpython":
        return "CPython " + kind;
      case "netty":
        return "raw Netty " + kind + jdkSuffix();
      case "javanet-platform":
        return "java.net " + kind + " platform threads" + jdkSuffix();
      case "javanet-virtual":
        return "java.net " + kind + " virtual threads" + jdkSuffix();
      default:
        return impl + " " + kind;
    }
  }

  /** A key without spaces, for files. */
  String key() {
    String v = variant.isEmpty() ? "" : "-" + variant.replaceAll("[^A-Za-z0-9]+", "_");
    return (impl + "-" + kind + (jdkLabel == null ? "" : "-jdk" + jdkLabel) + v).replace(' ', '_');
  }

  private String jdkSuffix() {
    String v = variant.isEmpty() ? "" : ", " + variant;
    return jdkLabel == null ? "" : " (JDK " + jdkLabel + v + ")";
  }

  boolean isNetty() {
    return impl.equals("netty");
  }

  boolean isCPython() {
    return impl.equals("cpython");
  }
}
