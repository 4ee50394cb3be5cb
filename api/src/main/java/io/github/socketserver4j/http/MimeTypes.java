package io.github.socketserver4j.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CPython 3.13's {@code mimetypes.guess_file_type(path)} with its default database: the built-in
 * table ({@code _types_map_default}), then every file of {@code mimetypes.knownfiles} that exists
 * ({@code /etc/mime.types} on Debian), read as CPython reads it, later entries replacing earlier
 * ones. Suffixes such as {@code .tgz} are expanded and encodings ({@code .gz}, {@code .br}, ...)
 * stripped first, as CPython does.
 */
final class MimeTypes {
  private MimeTypes() {}

  /** {@code mimetypes.knownfiles}, in CPython's order. */
  static final List<String> KNOWNFILES =
      List.of(
          "/etc/mime.types",
          "/etc/httpd/mime.types",
          "/etc/httpd/conf/mime.types",
          "/etc/apache/mime.types",
          "/etc/apache2/mime.types",
          "/usr/local/etc/httpd/conf/mime.types",
          "/usr/local/lib/netscape/mime.types",
          "/usr/local/etc/httpd/conf/mime.types",
          "/usr/local/etc/mime.types");

  /** {@code _types_map_default}: "type ext ext ..." lines, in CPython's order. */
  private static final String DEFAULT_TYPES =
      """
          text/javascript js mjs
          application/json json
          application/manifest+json webmanifest
          application/msword doc dot wiz
          application/n-quads nq
          application/n-triples nt
          application/octet-stream bin a dll exe o obj so
          application/oda oda
          application/pdf pdf
          application/pkcs7-mime p7c
          application/postscript ps ai eps
          application/trig trig
          application/vnd.apple.mpegurl m3u m3u8
          application/vnd.ms-excel xls xlb
          application/vnd.ms-powerpoint ppt pot ppa pps pwz
          application/wasm wasm
          application/x-bcpio bcpio
          application/x-cpio cpio
          application/x-csh csh
          application/x-dvi dvi
          application/x-gtar gtar
          application/x-hdf hdf
          application/x-hdf5 h5
          application/x-latex latex
          application/x-mif mif
          application/x-netcdf cdf nc
          application/x-pkcs12 p12 pfx
          application/x-pn-realaudio ram
          application/x-python-code pyc pyo
          application/x-sh sh
          application/x-shar shar
          application/x-shockwave-flash swf
          application/x-sv4cpio sv4cpio
          application/x-sv4crc sv4crc
          application/x-tar tar
          application/x-tcl tcl
          application/x-tex tex
          application/x-texinfo texi texinfo
          application/x-troff roff t tr
          application/x-troff-man man
          application/x-troff-me me
          application/x-troff-ms ms
          application/x-ustar ustar
          application/x-wais-source src
          application/xml xsl rdf wsdl xpdl
          application/zip zip
          audio/3gpp 3gp 3gpp
          audio/3gpp2 3g2 3gpp2
          audio/aac aac adts loas ass
          audio/basic au snd
          audio/mpeg mp3 mp2
          audio/opus opus
          audio/x-aiff aif aifc aiff
          audio/x-pn-realaudio ra
          audio/x-wav wav
          image/avif avif
          image/bmp bmp
          image/gif gif
          image/ief ief
          image/jpeg jpg jpe jpeg
          image/heic heic
          image/heif heif
          image/png png
          image/svg+xml svg
          image/tiff tiff tif
          image/vnd.microsoft.icon ico
          image/webp webp
          image/x-cmu-raster ras
          image/x-portable-anymap pnm
          image/x-portable-bitmap pbm
          image/x-portable-graymap pgm
          image/x-portable-pixmap ppm
          image/x-rgb rgb
          image/x-xbitmap xbm
          image/x-xpixmap xpm
          image/x-xwindowdump xwd
          message/rfc822 eml mht mhtml nws
          text/css css
          text/csv csv
          text/html html htm
          text/markdown md markdown
          text/n3 n3
          text/plain txt bat c h ksh pl srt
          text/richtext rtx
          text/rtf rtf
          text/tab-separated-values tsv
          text/vtt vtt
          text/x-python py
          text/x-rst rst
          text/x-setext etx
          text/x-sgml sgm sgml
          text/x-vcard vcf
          text/xml xml
          video/mp4 mp4
          video/mpeg mpeg m1v mpa mpe mpg
          video/quicktime mov qt
          video/webm webm
          video/x-msvideo avi
          video/x-sgi-movie movie
      """;

  private static final Map<String, String> SUFFIX_MAP =
      Map.of(
          ".svgz", ".svg.gz", ".tgz", ".tar.gz", ".taz", ".tar.gz", ".tz", ".tar.gz",
          ".tbz2", ".tar.bz2", ".txz", ".tar.xz");

  private static final Map<String, String> ENCODINGS_MAP =
      Map.of(".gz", "gzip", ".Z", "compress", ".bz2", "bzip2", ".xz", "xz", ".br", "br");

  private static final class Db {
    static final Map<String, String> TYPES = load();
  }

  /**
   * The type of the file at {@code path}, or null where CPython's {@code guess_file_type} returns
   * None.
   */
  static String guessFileType(String path) {
    String[] split = splitext(path);
    String ext = split[1];
    String lower;
    while (SUFFIX_MAP.containsKey(lower = ext.toLowerCase(Locale.ROOT))) {
      split = splitext(split[0] + SUFFIX_MAP.get(lower));
      ext = split[1];
    }
    if (ENCODINGS_MAP.containsKey(ext)) {
      split = splitext(split[0]);
      ext = split[1];
    }
    return Db.TYPES.get(ext.toLowerCase(Locale.ROOT));
  }

  /** {@code posixpath.splitext}: the extension starts at the last dot not leading the name. */
  static String[] splitext(String p) {
    int sep = p.lastIndexOf('/');
    int dot = p.lastIndexOf('.');
    if (dot > sep) {
      for (int i = sep + 1; i < dot; i++) {
        if (p.charAt(i) != '.') {
          return new String[] {p.substring(0, dot), p.substring(dot)};
        }
      }
    }
    return new String[] {p, ""};
  }

  private static Map<String, String> load() {
    Map<String, String> types = new HashMap<>();
    readfp(DEFAULT_TYPES, types);
    for (String file : KNOWNFILES) {
      Path p = Path.of(file);
      if (Files.isRegularFile(p)) {
        try {
          readfp(Files.readString(p, StandardCharsets.UTF_8), types);
        } catch (IOException | java.io.UncheckedIOException e) {
          // CPython would raise; a file that vanished or is unreadable adds nothing here
        }
      }
    }
    return types;
  }

  /** {@code MimeTypes.readfp}: words up to a {@code #}, a type then its suffixes. */
  static void readfp(String text, Map<String, String> types) {
    for (String line : HeaderReader.splitLines(text)) {
      List<String> words = PyText.split(line);
      for (int i = 0; i < words.size(); i++) {
        if (words.get(i).charAt(0) == '#') {
          words = words.subList(0, i);
          break;
        }
      }
      for (int i = 1; i < words.size(); i++) {
        types.put("." + words.get(i), words.get(0));
      }
    }
  }
}
