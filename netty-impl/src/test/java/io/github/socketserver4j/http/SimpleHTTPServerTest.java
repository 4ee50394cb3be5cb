package io.github.socketserver4j.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CPython 3.13's {@code SimpleHTTPServerTestCase}. CPython serves the current directory after
 * changing into the parent of its temporary directory; Java cannot change directory, so the
 * handler serves that parent instead ({@code directory=}).
 */
class SimpleHTTPServerTest {
  static class RequestHandler extends SimpleHTTPRequestHandler {
    RequestHandler(Path directory) {
      super(directory);
    }

    @Override
    public void logMessage(String format, Object... args) {}
  }

  @TempDir Path base;
  private Path tempdir;
  private String baseUrl;
  private String tempdirName;
  private final byte[] data = "We are the knights who say Ni!".getBytes(StandardCharsets.US_ASCII);
  private String lastModifHeader;
  private Instant lastModif;
  private Serving serving;

  @BeforeEach
  void setUp() throws Exception {
    tempdir = Files.createTempDirectory(base, "tmp");
    tempdirName = tempdir.getFileName().toString();
    baseUrl = "/" + tempdirName;
    Path temp = tempdir.resolve("test");
    Files.write(temp, data);
    Instant mtime = Files.getLastModifiedTime(temp).toInstant();
    lastModif = Instant.ofEpochSecond(EmailDates.pythonSeconds(EmailDates.pythonTimestamp(mtime)));
    lastModifHeader = EmailDates.formatdate(lastModif.getEpochSecond());
    Path root = base;
    serving =
        new Serving(
            new ThreadingHTTPServer(
                new InetSocketAddress("127.0.0.1", 0), () -> new RequestHandler(root)));
  }

  @AfterEach
  void tearDown() throws Exception {
    serving.close();
  }

  private HttpClient.Response request(String uri, String method, String... headers)
      throws Exception {
    try (HttpClient c = serving.client()) {
      c.send(method, uri, "HTTP/1.1", headers);
      HttpClient.Response r = c.read(method);
      // check_status_and_reason: HTTP/1.0, no persistent connection, nothing extra sent
      assertEquals("HTTP/1.0", r.version);
      assertNotNull(r.reason);
      String connection = r.header("Connection");
      assertTrue(connection == null || connection.equals("close"), connection);
      assertTrue(c.closedByServer(), "connection should be closed");
      return r;
    }
  }

  private HttpClient.Response request(String uri) throws Exception {
    return request(uri, "GET");
  }

  @Test
  @DisplayName("test_undecodable_parameter")
  void undecodableParameter() throws Exception {
    assertTrue(request(baseUrl + "/?x=123").text().contains("listing for " + baseUrl + "/?x=123"));
    assertTrue(request(baseUrl + "/?x=%bb").text().contains("listing for " + baseUrl + "/?x=\ufffd"));
  }

  @Test
  @DisplayName("test_get_dir_redirect_location_domain_injection_bug (gh-87389)")
  void getDirRedirectLocationDomainInjectionBug() throws Exception {
    Files.createDirectory(tempdir.resolve("existing_directory"));
    String url = "/python.org/..%2f..%2f..%2f..%2f..%2f../%0a%0d/../" + tempdirName
        + "/existing_directory";
    String expectedLocation = url + "/";
    HttpClient.Response response = request(url);
    assertEquals(301, response.status);
    assertEquals(expectedLocation, response.header("Location"));
    response = request("/" + url);
    assertEquals(301, response.status);
    assertFalse(response.header("Location").startsWith("//"), response.header("Location"));
    assertEquals(expectedLocation, response.header("Location"));
    response = request("//" + url);
    assertEquals(301, response.status);
    assertEquals(expectedLocation, response.header("Location"));
    response = request("https://pypi.org/" + url);
    assertEquals(301, response.status);
    assertTrue(response.header("Location").startsWith("https://pypi.org/"));
  }

  @Test
  @DisplayName("test_get")
  void get() throws Exception {
    HttpClient.Response response = request(baseUrl + "/test");
    assertEquals(200, response.status);
    assertEquals(new String(data, StandardCharsets.US_ASCII), response.text());
    assertEquals(404, request(baseUrl + "/test/").status); // bpo-17324
    assertEquals(200, request(baseUrl + "/").status);
    response = request(baseUrl);
    assertEquals(301, response.status);
    assertEquals("0", response.header("Content-Length"));
    assertEquals(200, request(baseUrl + "/?hi=2").status);
    response = request(baseUrl + "?hi=1");
    assertEquals(301, response.status);
    assertEquals(baseUrl + "/?hi=1", response.header("Location"));
    assertEquals(404, request("/ThisDoesNotExist").status);
    assertEquals(404, request("/ThisDoesNotExist/").status);
    Files.createDirectories(tempdir.resolve("spam").resolve("index.html"));
    assertEquals(200, request(baseUrl + "/spam/").status);
    byte[] index = "Dummy index file\r\n".getBytes(StandardCharsets.US_ASCII);
    Files.write(tempdir.resolve("index.html"), index);
    response = request(baseUrl + "/");
    assertEquals(200, response.status);
    assertEquals("Dummy index file\r\n", response.text());
    // CPython skips the chmod(0) case as root (permissions do not bind root); so does this port.
  }

  @Test
  @DisplayName("test_head")
  void head() throws Exception {
    HttpClient.Response response = request(baseUrl + "/test", "HEAD");
    assertEquals(200, response.status);
    assertEquals(String.valueOf(data.length), response.header("content-length"));
    assertEquals("application/octet-stream", response.header("content-type"));
  }

  @Test
  @DisplayName("test_browser_cache")
  void browserCache() throws Exception {
    assertEquals(304, request(baseUrl + "/test", "GET", "If-Modified-Since", lastModifHeader).status);
    String later = EmailDates.formatdate(lastModif.plus(1, ChronoUnit.HOURS).getEpochSecond());
    assertEquals(304, request(baseUrl + "/test", "GET", "If-Modified-Since", later).status);
  }

  @Test
  @DisplayName("test_browser_cache_file_changed")
  void browserCacheFileChanged() throws Exception {
    String old = EmailDates.formatdate(lastModif.minus(365, ChronoUnit.DAYS).getEpochSecond());
    assertEquals(200, request(baseUrl + "/test", "GET", "If-Modified-Since", old).status);
  }

  @Test
  @DisplayName("test_browser_cache_with_If_None_Match_header")
  void browserCacheWithIfNoneMatchHeader() throws Exception {
    assertEquals(
        200,
        request(baseUrl + "/test", "GET", "If-Modified-Since", lastModifHeader,
            "If-None-Match", "*").status);
  }

  @Test
  @DisplayName("test_invalid_requests")
  void invalidRequests() throws Exception {
    assertEquals(501, request("/", "FOO").status);
    assertEquals(501, request("/", "custom").status);
    assertEquals(501, request("/", "GETs").status);
  }

  @Test
  @DisplayName("test_last_modified")
  void lastModified() throws Exception {
    HttpClient.Response response = request(baseUrl + "/test");
    assertEquals(200, response.status);
    assertEquals(lastModifHeader, response.header("Last-modified"));
  }

  @Test
  @DisplayName("test_path_without_leading_slash")
  void pathWithoutLeadingSlash() throws Exception {
    assertEquals(200, request(tempdirName + "/test").status);
    assertEquals(404, request(tempdirName + "/test/").status);
    assertEquals(200, request(tempdirName + "/").status);
    assertEquals(301, request(tempdirName).status);
    assertEquals(200, request(tempdirName + "/?hi=2").status);
    HttpClient.Response response = request(tempdirName + "?hi=1");
    assertEquals(301, response.status);
    assertEquals(tempdirName + "/?hi=1", response.header("Location"));
  }

  @Test
  @DisplayName("test_html_escape_filename")
  void htmlEscapeFilename() throws Exception {
    String filename = "<test&>.txt";
    Files.createFile(tempdir.resolve(filename));
    HttpClient.Response response = request(baseUrl + "/");
    assertEquals("text/html; charset=utf-8", response.header("Content-type"));
    assertTrue(response.text().contains(">&lt;test&amp;&gt;.txt<"), response.text());
    assertTrue(response.text().contains("href=\"%3Ctest%26%3E.txt\""), response.text());
  }
}
