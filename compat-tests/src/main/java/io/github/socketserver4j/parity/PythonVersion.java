package io.github.socketserver4j.parity;

/** A CPython version, for version ranges in deviations ({@code "<3.9"}, {@code ">=3.12"}). */
record PythonVersion(int major, int minor, int micro) implements Comparable<PythonVersion> {

  static PythonVersion parse(String text) {
    String[] p = text.trim().split("\\.");
    return new PythonVersion(
        Integer.parseInt(p[0]),
        p.length > 1 ? Integer.parseInt(p[1]) : 0,
        p.length > 2 ? Integer.parseInt(p[2].replaceAll("[^0-9].*", "")) : 0);
  }

  @Override
  public int compareTo(PythonVersion o) {
    int c = Integer.compare(major, o.major);
    if (c == 0) {
      c = Integer.compare(minor, o.minor);
    }
    return c != 0 ? c : Integer.compare(micro, o.micro);
  }

  /** Whether this version is in {@code range}: empty (all), or {@code <X}, {@code >=X}. */
  boolean matches(String range) {
    String r = range.trim();
    if (r.isEmpty()) {
      return true;
    }
    if (r.startsWith(">=")) {
      return compareTo(parse(r.substring(2))) >= 0;
    }
    if (r.startsWith("<")) {
      return compareTo(parse(r.substring(1))) < 0;
    }
    return compareTo(parse(r)) == 0;
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + micro;
  }
}
