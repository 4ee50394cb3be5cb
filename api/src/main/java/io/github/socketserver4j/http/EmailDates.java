package io.github.socketserver4j.http;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The date formats of {@code http.server}: {@code email.utils.formatdate(t, usegmt=True)}, {@code
 * email.utils.parsedate_to_datetime} (CPython 3.13's {@code _parsedate_tz}, line by line) and
 * {@code log_date_time_string}.
 */
final class EmailDates {
  private EmailDates() {}

  static final List<String> WEEKDAYNAME = List.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun");

  static final List<String> MONTHNAME =
      List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec");

  private static final List<String> MONTHNAMES =
      List.of(
          "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
          "january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december");

  private static final List<String> DAYNAMES =
      List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

  private static final Map<String, Integer> TIMEZONES =
      Map.ofEntries(
          Map.entry("UT", 0), Map.entry("UTC", 0), Map.entry("GMT", 0), Map.entry("Z", 0),
          Map.entry("AST", -400), Map.entry("ADT", -300), Map.entry("EST", -500),
          Map.entry("EDT", -400), Map.entry("CST", -600), Map.entry("CDT", -500),
          Map.entry("MST", -700), Map.entry("MDT", -600), Map.entry("PST", -800),
          Map.entry("PDT", -700));

  /**
   * The whole seconds of a Python float timestamp as {@code datetime.fromtimestamp} sees them: the
   * fraction is rounded half-even to microseconds, which may carry into the next second.
   */
  static long pythonSeconds(double timestamp) {
    double floor = Math.floor(timestamp);
    double micros = Math.rint((timestamp - floor) * 1e6);
    return (long) floor + (micros >= 1e6 ? 1 : 0);
  }

  /** A file time as Python's {@code st_mtime} float: seconds plus nanoseconds times 1e-9. */
  static double pythonTimestamp(Instant time) {
    return time.getEpochSecond() + time.getNano() * 1e-9;
  }

  /** {@code email.utils.formatdate(timestamp, usegmt=True)}. */
  static String formatdate(double timestamp) {
    ZonedDateTime t = Instant.ofEpochSecond(pythonSeconds(timestamp)).atZone(ZoneOffset.UTC);
    // "%s, %02d %s %04d %02d:%02d:%02d GMT", built without java.util.Formatter: this runs for
    // every response (Date, Last-Modified), where the Formatter cost more than the rest.
    StringBuilder b = new StringBuilder(29);
    b.append(WEEKDAYNAME.get(t.getDayOfWeek().getValue() - 1)).append(", ");
    pad(b, t.getDayOfMonth(), 2).append(' ').append(MONTHNAME.get(t.getMonthValue() - 1));
    pad(b.append(' '), t.getYear(), 4).append(' ');
    return time(b, t).append(" GMT").toString();
  }

  /** {@code log_date_time_string()}: now, in the local time zone. */
  static String logDateTime(Instant now, ZoneId zone) {
    ZonedDateTime t = now.atZone(zone);
    // "%02d/%3s/%04d %02d:%02d:%02d", without java.util.Formatter (one per logged request).
    StringBuilder b = new StringBuilder(20);
    pad(b, t.getDayOfMonth(), 2).append('/').append(MONTHNAME.get(t.getMonthValue() - 1));
    pad(b.append('/'), t.getYear(), 4).append(' ');
    return time(b, t).toString();
  }

  private static StringBuilder time(StringBuilder b, ZonedDateTime t) {
    pad(b, t.getHour(), 2).append(':');
    pad(b, t.getMinute(), 2).append(':');
    return pad(b, t.getSecond(), 2);
  }

  /** Python's {@code %0Nd}: at least {@code width} digits, zeros after a minus sign. */
  static StringBuilder pad(StringBuilder b, int value, int width) {
    String digits = Long.toString(Math.abs((long) value));
    if (value < 0) {
      b.append('-');
      width--;
    }
    for (int i = digits.length(); i < width; i++) {
      b.append('0');
    }
    return b.append(digits);
  }

  /**
   * What {@code send_head} makes of an {@code If-Modified-Since} value: the instant, when {@code
   * parsedate_to_datetime} accepts it and its zone is UTC or absent (taken as UTC); empty when
   * CPython ignores the header (unparsable, an invalid date, or another offset).
   */
  static Optional<Instant> utcInstant(String value) {
    long[] t = parsedateTz(value);
    if (t == null) {
      return Optional.empty();
    }
    if (t[6] != Long.MIN_VALUE && t[6] != 0) {
      return Optional.empty(); // a valid non-UTC offset is not `timezone.utc`: ignored
    }
    if (t[6] != Long.MIN_VALUE && Math.abs(t[6]) >= 86400) {
      return Optional.empty();
    }
    if (t[0] < 1 || t[0] > 9999) {
      return Optional.empty();
    }
    try {
      LocalDateTime local =
          LocalDateTime.of(
              (int) t[0], (int) t[1], toInt(t[2]), toInt(t[3]), toInt(t[4]), toInt(t[5]));
      return Optional.of(local.toInstant(ZoneOffset.UTC));
    } catch (DateTimeException e) {
      return Optional.empty(); // datetime() raises ValueError: ignored
    }
  }

  private static int toInt(long v) {
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new DateTimeException("out of range: " + v);
    }
    return (int) v;
  }

  /**
   * {@code email._parseaddr._parsedate_tz}: year, month, day, hour, minute, second and the offset
   * in seconds ({@code Long.MIN_VALUE} for Python's None); null where Python returns None.
   */
  static long[] parsedateTz(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    List<String> data = new ArrayList<>(PyText.split(text));
    if (data.isEmpty()) {
      return null;
    }
    if (data.get(0).endsWith(",") || DAYNAMES.contains(data.get(0).toLowerCase(Locale.ROOT))) {
      data.remove(0);
    } else {
      int i = data.get(0).lastIndexOf(',');
      if (i >= 0) {
        data.set(0, data.get(0).substring(i + 1));
      }
    }
    if (data.size() == 3) { // RFC 850 date, deprecated
      String[] stuff = data.get(0).split("-", -1);
      if (stuff.length == 3) {
        List<String> joined = new ArrayList<>(List.of(stuff));
        joined.addAll(data.subList(1, data.size()));
        data = joined;
      }
    }
    if (data.size() == 4) {
      String s = data.get(3);
      int i = s.indexOf('+');
      if (i == -1) {
        i = s.indexOf('-');
      }
      if (i > 0) {
        data.set(3, s.substring(0, i));
        data.add(s.substring(i));
      } else {
        data.add(""); // dummy tz
      }
    }
    if (data.size() < 5) {
      return null;
    }
    String dd = data.get(0);
    String mm = data.get(1);
    String yy = data.get(2);
    String tm = data.get(3);
    String tz = data.get(4);
    if (dd.isEmpty() || mm.isEmpty() || yy.isEmpty()) {
      return null;
    }
    mm = mm.toLowerCase(Locale.ROOT);
    if (!MONTHNAMES.contains(mm)) {
      String swap = dd;
      dd = mm;
      mm = swap.toLowerCase(Locale.ROOT);
      if (!MONTHNAMES.contains(mm)) {
        return null;
      }
    }
    int month = MONTHNAMES.indexOf(mm) + 1;
    if (month > 12) {
      month -= 12;
    }
    if (dd.endsWith(",")) {
      dd = dd.substring(0, dd.length() - 1);
    }
    if (yy.indexOf(':') > 0) {
      String swap = yy;
      yy = tm;
      tm = swap;
    }
    if (yy.endsWith(",")) {
      yy = yy.substring(0, yy.length() - 1);
      if (yy.isEmpty()) {
        return null;
      }
    }
    if (!PyText.isDigit(yy.charAt(0))) {
      String swap = yy;
      yy = tz;
      tz = swap;
    }
    if (tm.endsWith(",")) {
      tm = tm.substring(0, tm.length() - 1);
    }
    String[] hms = tm.split(":", -1);
    String thh;
    String tmm;
    String tss;
    if (hms.length == 2) {
      thh = hms[0];
      tmm = hms[1];
      tss = "0";
    } else if (hms.length == 3) {
      thh = hms[0];
      tmm = hms[1];
      tss = hms[2];
    } else if (hms.length == 1 && hms[0].indexOf('.') >= 0) {
      String[] dotted = hms[0].split("\\.", -1);
      if (dotted.length == 2) {
        thh = dotted[0];
        tmm = dotted[1];
        tss = "0";
      } else if (dotted.length == 3) {
        thh = dotted[0];
        tmm = dotted[1];
        tss = dotted[2];
      } else {
        return null;
      }
    } else {
      return null;
    }
    Long year = PyText.pyInt(yy);
    Long day = PyText.pyInt(dd);
    Long hour = PyText.pyInt(thh);
    Long minute = PyText.pyInt(tmm);
    Long second = PyText.pyInt(tss);
    if (year == null || day == null || hour == null || minute == null || second == null) {
      return null;
    }
    long y = year;
    if (y < 100) {
      y += y > 68 ? 1900 : 2000;
    }
    Long offset = null;
    tz = tz.toUpperCase(Locale.ROOT);
    if (TIMEZONES.containsKey(tz)) {
      offset = (long) TIMEZONES.get(tz);
    } else {
      offset = PyText.pyInt(tz);
      if (offset != null && offset == 0 && tz.startsWith("-")) {
        offset = null;
      }
    }
    long seconds = Long.MIN_VALUE;
    if (offset != null) {
      long o = Math.abs(offset);
      seconds = Long.signum(offset) * ((o / 100) * 3600 + (o % 100) * 60);
    }
    return new long[] {y, month, day, hour, minute, second, seconds};
  }
}
