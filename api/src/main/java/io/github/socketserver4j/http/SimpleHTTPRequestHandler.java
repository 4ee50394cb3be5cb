package io.github.socketserver4j.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Serves files from a directory with GET and HEAD: CPython 3.13's {@code
 * http.server.SimpleHTTPRequestHandler}, byte for byte (its status lines, headers, redirects,
 * error pages and directory listings).
 *
 * <pre>{@code
 * Path root = Path.of("public");
 * try (var server = new ThreadingHTTPServer(new InetSocketAddress("127.0.0.1", 8000),
 *     () -> new SimpleHTTPRequestHandler(root))) {     // directory=root
 *   server.serveForever();
 * }
 * }</pre>
 *
 * <ul>
 *   <li>A directory without a trailing slash gets a 301 to the same URL with one, keeping the
 *       query; with one, its {@code index.html} or {@code index.htm}, or else a listing.
 *   <li>Nothing outside {@link #directory()} is served: {@link #translatePath} drops {@code ..},
 *       encoded or not, and empty parts. Symbolic links inside the directory are followed, as in
 *       CPython.
 *   <li>Files are streamed in blocks of at most 64 KiB ({@code shutil.copyfileobj}'s), through
 *       the connection's {@code sendfile}, so memory stays bounded whatever their size; {@code Last-Modified} is always sent and {@code
 *       If-Modified-Since} (without {@code If-None-Match}) answers 304 when the file is not newer.
 *   <li>The {@code Content-type} comes from {@link #guessType}: {@link #extensionsMap()}, then
 *       CPython's {@code mimetypes} table and the system's {@code mime.types} files.
 * </ul>
 *
 * <h2>Class variables that may be overridden</h2>
 *
 * <ul>
 *   <li>{@link #serverVersion()}: {@code "SimpleHTTP/0.6"}
 *   <li>{@link #indexPages()}: {@code index.html}, {@code index.htm}
 *   <li>{@link #extensionsMap()}: {@code .gz}, {@code .Z}, {@code .bz2}, {@code .xz}
 * </ul>
 */
public class SimpleHTTPRequestHandler extends BaseHTTPRequestHandler {

  /** {@code shutil.COPY_BUFSIZE} on POSIX: the chunk {@link #copyfile} reads and writes. */
  static final int COPY_BUFSIZE = 64 * 1024;

  private static final Map<String, String> EXTENSIONS_MAP =
      Map.of(
          ".gz", "application/gzip",
          ".Z", "application/octet-stream",
          ".bz2", "application/x-bzip2",
          ".xz", "application/x-xz");

  private final String directory;
  private Path realDirectory;

  /** Serves the current directory ({@code user.dir}), CPython's default {@code os.getcwd()}. */
  public SimpleHTTPRequestHandler() {
    this(System.getProperty("user.dir"));
  }

  /**
   * Serves {@code directory}, CPython's {@code SimpleHTTPRequestHandler(..., directory=...)}.
   *
   * @param directory the directory to serve; a relative one is resolved against the current
   *     directory when files are opened, as in CPython
   */
  public SimpleHTTPRequestHandler(Path directory) {
    this(directory.toString());
  }

  /**
   * Serves {@code directory}, given as Python gives it (a string path).
   *
   * @param directory the directory to serve
   */
  public SimpleHTTPRequestHandler(String directory) {
    this.directory = java.util.Objects.requireNonNull(directory, "directory");
  }

  /**
   * Returns the directory served, CPython's {@code directory}.
   *
   * @return the directory as given
   */
  public String directory() {
    return directory;
  }

  /**
   * The server software, CPython's {@code server_version}.
   *
   * @implSpec Returns {@code "SimpleHTTP/0.6"}. May be overridden.
   */
  @Override
  public String serverVersion() {
    return "SimpleHTTP/0.6";
  }

  /**
   * The files served for a directory, in order, CPython's {@code index_pages}.
   *
   * @implSpec Returns {@code index.html} and {@code index.htm}. May be overridden.
   * @return the names
   */
  public List<String> indexPages() {
    return List.of("index.html", "index.htm");
  }

  /**
   * The types looked up first, by extension (exact, then lowercased), CPython's {@code
   * extensions_map}.
   *
   * @implSpec Returns CPython's four compression types. May be overridden.
   * @return extension to type
   */
  public Map<String, String> extensionsMap() {
    return EXTENSIONS_MAP;
  }

  /**
   * Serves a GET request, CPython's {@code do_GET()}: {@link #sendHead()}, then {@link #copyfile}
   * of what it returns.
   *
   * @throws IOException if reading the file or sending fails
   */
  public void doGET() throws IOException {
    InputStream f = sendHead();
    if (f != null) {
      try (f) {
        copyfile(f, wfile());
      }
    }
  }

  /**
   * Serves a HEAD request, CPython's {@code do_HEAD()}: {@link #sendHead()} only.
   *
   * @throws IOException if sending fails
   */
  public void doHEAD() throws IOException {
    InputStream f = sendHead();
    if (f != null) {
      f.close();
    }
  }

  /**
   * Sends the status and headers of a GET or HEAD, CPython's {@code send_head()}: a redirect, an
   * error, a 304, or a 200 with the body still to send.
   *
   * @return the body to copy (the caller closes it), or null when the response is complete
   * @throws IOException if sending fails
   */
  public InputStream sendHead() throws IOException {
    String path = translatePath(path());
    if (escapesDirectory(path)) {
      sendError(HTTPStatus.NOT_FOUND.value(), "File not found");
      return null;
    }
    if (FsPaths.isdir(path)) {
      String[] parts = UrlCodec.urlsplit(path());
      if (!parts[2].endsWith("/")) {
        sendResponse(HTTPStatus.MOVED_PERMANENTLY.value()); // redirect, as Apache does
        parts[2] = parts[2] + "/";
        sendHeader("Location", UrlCodec.urlunsplit(parts));
        sendHeader("Content-Length", "0");
        endHeaders();
        return null;
      }
      String dir = path;
      Optional<String> index =
          indexPages().stream().map(i -> FsPaths.join(dir, i)).filter(FsPaths::isfile).findFirst();
      if (index.isEmpty()) {
        return listDirectory(dir);
      }
      path = index.get();
      if (escapesDirectory(path)) {
        sendError(HTTPStatus.NOT_FOUND.value(), "File not found");
        return null;
      }
    }
    String ctype = guessType(path);
    if (path.endsWith("/")) { // bpo-17324: a file with a trailing slash is not found
      sendError(HTTPStatus.NOT_FOUND.value(), "File not found");
      return null;
    }
    Path file = FsPaths.toPath(path);
    FileChannel channel;
    BasicFileAttributes attributes;
    try {
      if (file == null) {
        throw new java.nio.file.NoSuchFileException(path);
      }
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (IOException e) {
      sendError(HTTPStatus.NOT_FOUND.value(), "File not found");
      return null;
    }
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
      if (attributes.isDirectory()) {
        throw new java.nio.file.FileSystemException(path, null, "Is a directory");
      }
      double mtime = EmailDates.pythonTimestamp(attributes.lastModifiedTime().toInstant());
      if (headers().containsKey("If-Modified-Since") && !headers().containsKey("If-None-Match")) {
        Optional<Instant> ims = EmailDates.utcInstant(headers().get("If-Modified-Since", ""));
        if (ims.isPresent() && EmailDates.pythonSeconds(mtime) <= ims.get().getEpochSecond()) {
          sendResponse(HTTPStatus.NOT_MODIFIED.value());
          endHeaders();
          channel.close();
          return null;
        }
      }
      sendResponse(HTTPStatus.OK.value());
      sendHeader("Content-type", ctype);
      sendHeader("Content-Length", String.valueOf(channel.size()));
      sendHeader("Last-Modified", dateTimeString(mtime));
      endHeaders();
      return new FileBody(channel);
    } catch (IOException | RuntimeException | Error e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Whether {@code path} resolves, through symbolic links, to a file outside {@link
   * #directory()}: such files are not served (404), where CPython follows the link.
   */
  private boolean escapesDirectory(String path) {
    if (realDirectory == null) {
      realDirectory = FsPaths.realRoot(directory);
    }
    return FsPaths.escapesRoot(path, realDirectory);
  }

  /**
   * Sends a listing of {@code path}, CPython's {@code list_directory(path)}: 404 "No permission to
   * list directory" if it cannot be read, else a 200 whose body is returned.
   *
   * @param path the directory, as {@link #translatePath} returned it
   * @return the page to copy, or null after an error
   * @throws IOException if sending fails
   */
  public InputStream listDirectory(String path) throws IOException {
    List<String> names;
    try {
      names = DirectoryListing.listdir(path);
    } catch (IOException e) {
      sendError(HTTPStatus.NOT_FOUND.value(), "No permission to list directory");
      return null;
    }
    byte[] encoded = DirectoryListing.render(path, path(), names);
    sendResponse(HTTPStatus.OK.value());
    sendHeader("Content-type", "text/html; charset=utf-8");
    sendHeader("Content-Length", String.valueOf(encoded.length));
    endHeaders();
    return new ByteArrayInputStream(encoded);
  }

  /**
   * Maps a URL path to a file name under {@link #directory()}, CPython's {@code
   * translate_path(path)}: the query and fragment are dropped, the rest unquoted and normalised,
   * and empty, {@code .} and {@code ..} parts dropped, so the result never leaves the directory;
   * a trailing slash is kept.
   *
   * @param path the request path
   * @return the file name, as a string (a trailing slash matters)
   */
  public String translatePath(String path) {
    return FsPaths.translatePath(path, directory);
  }

  /**
   * Copies the body to the client, CPython's {@code copyfile(source, outputfile)} ({@code
   * shutil.copyfileobj}): reads and writes {@value #COPY_BUFSIZE} bytes at a time. The file
   * {@link #sendHead()} opened, copied to the unbuffered {@link #wfile()}, goes instead through
   * the connection's {@link io.github.socketserver4j.StreamRequest#sendfile sendfile}: the same
   * bytes, read from the file straight into the transport's buffers.
   *
   * @param source what to send
   * @param outputfile where to write it
   * @throws IOException if reading or writing fails
   */
  public void copyfile(InputStream source, OutputStream outputfile) throws IOException {
    if (source instanceof FileBody && outputfile == wfile() && wbufsize() == 0) {
      // The file sendHead() opened, to the unbuffered wfile: the same bytes in the same order
      // through the connection's sendfile, which reads the file into the buffers it sends.
      // At the end of the file it sends nothing; no size check here (one fstat fewer).
      FileChannel file = ((FileBody) source).channel();
      connection().sendfile(file, file.position(), Long.MAX_VALUE);
      return;
    }
    // No bigger than what is left (plus one byte, to see the end in one read): a 64 KiB array
    // zeroed for a 12-byte file cost more than the rest of the request. available() is the
    // bytes left for the file sendHead() opens; 0 (unknown) takes the full size.
    int left = source.available();
    byte[] buffer = new byte[left > 0 && left < COPY_BUFSIZE ? left + 1 : COPY_BUFSIZE];
    while (true) {
      int n = source.readNBytes(buffer, 0, buffer.length);
      if (n <= 0) {
        return;
      }
      outputfile.write(buffer, 0, n);
      if (n < buffer.length) {
        return;
      }
      if (buffer.length < COPY_BUFSIZE) {
        buffer = new byte[COPY_BUFSIZE]; // more than available() said: the file grew
      }
    }
  }

  /**
   * Guesses a file's type, CPython's {@code guess_type(path)}: {@link #extensionsMap()} by exact
   * then lowercased extension, then {@code mimetypes}, else {@code application/octet-stream}.
   *
   * @param path a file name
   * @return the type
   */
  public String guessType(String path) {
    String ext = MimeTypes.splitext(path)[1];
    Map<String, String> map = extensionsMap();
    if (map.containsKey(ext)) {
      return map.get(ext);
    }
    ext = ext.toLowerCase(Locale.ROOT);
    if (map.containsKey(ext)) {
      return map.get(ext);
    }
    String guess = MimeTypes.guessFileType(path);
    return guess != null ? guess : "application/octet-stream";
  }
}
