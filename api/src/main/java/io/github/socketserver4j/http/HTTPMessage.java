package io.github.socketserver4j.http;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The headers of a request: CPython's {@code http.client.HTTPMessage}, an {@code
 * email.message.Message} that {@link BaseHTTPRequestHandler#headers()} returns.
 *
 * <p>A list of (name, value) pairs in the order they arrived. Lookups ignore the case of the name;
 * a name may occur several times, and {@link #get(String)} returns the first. Names and values are
 * the bytes of the request decoded as ISO-8859-1, as in CPython: a client that sends UTF-8 gets
 * {@code new String(value.getBytes(ISO_8859_1), UTF_8)} back, Python's {@code
 * value.encode('latin-1').decode('utf-8')}. A folded value (a line that begins with a space or a
 * tab continues the previous header) keeps its line breaks, as CPython's {@code compat32} policy
 * keeps them.
 *
 * <table>
 *   <caption>Python calls and their Java form</caption>
 *   <tr><th>Python</th><th>Java</th></tr>
 *   <tr><td>{@code headers['Host']}, {@code headers.get('Host')}</td><td>{@link #get(String)}</td></tr>
 *   <tr><td>{@code headers.get('Host', 'x')}</td><td>{@link #get(String, String)}</td></tr>
 *   <tr><td>{@code headers.get_all('Cookie')}</td><td>{@link #getAll(String)} (empty, not None)</td></tr>
 *   <tr><td>{@code 'Host' in headers}</td><td>{@link #containsKey(String)}</td></tr>
 *   <tr><td>{@code keys()}, {@code values()}, {@code items()}, {@code len()}</td>
 *       <td>{@link #keys()}, {@link #values()}, {@link #items()}, {@link #size()}</td></tr>
 *   <tr><td>{@code headers['X'] = v}, {@code del headers['X']}</td>
 *       <td>{@link #add(String, String)}, {@link #remove(String)}</td></tr>
 * </table>
 *
 * <p>Not thread-safe; a handler owns its request's headers.
 */
public class HTTPMessage {
  private final List<Map.Entry<String, String>> headers = new ArrayList<>();

  /** Creates an empty message, as {@code HTTPMessage()} does. */
  public HTTPMessage() {}

  /**
   * Returns the value of the first header named {@code name} in any case, Python's {@code
   * headers[name]} or {@code headers.get(name)}.
   *
   * @param name a header name
   * @return the value, or empty where Python returns None
   */
  public Optional<String> get(String name) {
    String key = lower(name);
    for (Map.Entry<String, String> h : headers) {
      if (lower(h.getKey()).equals(key)) {
        return Optional.of(h.getValue());
      }
    }
    return Optional.empty();
  }

  /**
   * Returns the value of the first header named {@code name}, or {@code failobj}: Python's {@code
   * headers.get(name, failobj)}.
   *
   * @param name a header name
   * @param failobj what to return when there is no such header
   * @return the value or {@code failobj}
   */
  public String get(String name, String failobj) {
    return get(name).orElse(failobj);
  }

  /**
   * Returns the values of every header named {@code name}, in order: Python's {@code
   * get_all(name)}, with an empty list where Python returns None.
   *
   * @param name a header name
   * @return the values, possibly empty
   */
  public List<String> getAll(String name) {
    String key = lower(name);
    List<String> values = new ArrayList<>();
    for (Map.Entry<String, String> h : headers) {
      if (lower(h.getKey()).equals(key)) {
        values.add(h.getValue());
      }
    }
    return values;
  }

  /**
   * Returns whether a header named {@code name} is present, Python's {@code name in headers}.
   *
   * @param name a header name
   * @return whether it is present
   */
  public boolean containsKey(String name) {
    return get(name).isPresent();
  }

  /**
   * Returns the names as they arrived, duplicates included, Python's {@code keys()}.
   *
   * @return the names
   */
  public List<String> keys() {
    List<String> keys = new ArrayList<>(headers.size());
    headers.forEach(h -> keys.add(h.getKey()));
    return keys;
  }

  /**
   * Returns the values in order, Python's {@code values()}.
   *
   * @return the values
   */
  public List<String> values() {
    List<String> values = new ArrayList<>(headers.size());
    headers.forEach(h -> values.add(h.getValue()));
    return values;
  }

  /**
   * Returns the (name, value) pairs in order, Python's {@code items()}.
   *
   * @return an unmodifiable view of the pairs
   */
  public List<Map.Entry<String, String>> items() {
    return Collections.unmodifiableList(headers);
  }

  /**
   * Returns the number of headers, duplicates included, Python's {@code len(headers)}.
   *
   * @return the count
   */
  public int size() {
    return headers.size();
  }

  /**
   * Appends a header, Python's {@code headers[name] = value} (which appends, never replaces).
   *
   * @param name the name
   * @param value the value
   */
  public void add(String name, String value) {
    headers.add(
        new SimpleImmutableEntry<>(
            Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value")));
  }

  /**
   * Removes every header named {@code name}, Python's {@code del headers[name]}; nothing happens if
   * there is none.
   *
   * @param name a header name
   */
  public void remove(String name) {
    String key = lower(name);
    headers.removeIf(h -> lower(h.getKey()).equals(key));
  }

  /**
   * Returns the headers as Python's {@code str(message)} prints them: one {@code "Name: value\n"}
   * line each, then an empty line.
   */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    headers.forEach(h -> out.append(h.getKey()).append(": ").append(h.getValue()).append('\n'));
    return out.append('\n').toString();
  }

  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
