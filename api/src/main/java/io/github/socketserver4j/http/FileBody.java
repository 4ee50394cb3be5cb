package io.github.socketserver4j.http;

import java.io.FilterInputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;

/**
 * The body {@link SimpleHTTPRequestHandler#sendHead()} returns for a file: a stream over the open
 * file, as CPython's {@code open(path, 'rb')}, that also lets {@link
 * SimpleHTTPRequestHandler#copyfile} hand the file to the connection's {@code sendfile}.
 */
final class FileBody extends FilterInputStream {
  private final FileChannel channel;

  FileBody(FileChannel channel) {
    super(Channels.newInputStream(channel));
    this.channel = channel;
  }

  FileChannel channel() {
    return channel;
  }
}
