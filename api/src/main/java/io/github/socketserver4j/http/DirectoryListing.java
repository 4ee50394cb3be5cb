package io.github.socketserver4j.http;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The HTML of CPython 3.13's {@code list_directory}: names sorted by {@code name.lower()}
 * (code point order), directories with {@code /}, symbolic links with {@code @}, links quoted with
 * {@code urllib.parse.quote} and names escaped with {@code html.escape(quote=False)}, encoded as
 * UTF-8 with {@code surrogateescape}.
 */
final class DirectoryListing {
  private DirectoryListing() {}

  /** Orders strings as Python compares them: by code point, not by UTF-16 unit. */
  static final Comparator<String> CODE_POINTS =
      (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
          int ca = a.codePointAt(i);
          int cb = b.codePointAt(j);
          if (ca != cb) {
            return Integer.compare(ca, cb);
          }
          i += Character.charCount(ca);
          j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
      };

  /** {@code os.listdir(path)}. */
  static List<String> listdir(String path) throws IOException {
    Path dir = FsPaths.toPath(path);
    if (dir == null) {
      throw new java.nio.file.NoSuchFileException(path);
    }
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        names.add(entry.getFileName().toString());
      }
    }
    return names;
  }

  /**
   * The page for the directory {@code path} requested as {@code requestPath}.
   *
   * @param names what {@code os.listdir} returned
   */
  static byte[] render(String path, String requestPath, List<String> names) {
    List<String> sorted = new ArrayList<>(names);
    sorted.sort(Comparator.comparing(n -> n.toLowerCase(Locale.ROOT), CODE_POINTS));
    String displaypath = PyText.htmlEscape(UrlCodec.unquotePath(requestPath));
    String title = "Directory listing for " + displaypath;
    List<String> r = new ArrayList<>(sorted.size() + 8);
    r.add("<!DOCTYPE HTML>");
    r.add("<html lang=\"en\">");
    r.add("<head>");
    r.add("<meta charset=\"utf-8\">");
    r.add("<title>" + title + "</title>\n</head>");
    r.add("<body>\n<h1>" + title + "</h1>");
    r.add("<hr>\n<ul>");
    for (String name : sorted) {
      String fullname = FsPaths.join(path, name);
      String displayname = name;
      String linkname = name;
      if (FsPaths.isdir(fullname)) {
        displayname = name + "/";
        linkname = name + "/";
      }
      if (FsPaths.islink(fullname)) {
        displayname = name + "@"; // a link to a directory shows @ and links with /
      }
      r.add("<li><a href=\"" + UrlCodec.quote(linkname) + "\">"
          + PyText.htmlEscape(displayname) + "</a></li>");
    }
    r.add("</ul>\n<hr>\n</body>\n</html>\n");
    return Utf8.encodeSurrogateEscape(String.join("\n", r));
  }
}
