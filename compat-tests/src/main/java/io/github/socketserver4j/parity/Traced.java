package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.socketserver4j.BaseServer;
import io.github.socketserver4j.ClientRequest;
import io.github.socketserver4j.ForkingTCPServer;
import io.github.socketserver4j.ForkingUDPServer;
import io.github.socketserver4j.ForkingUnixDatagramServer;
import io.github.socketserver4j.ForkingUnixStreamServer;
import io.github.socketserver4j.Request;
import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.StreamRequest;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.ThreadingUDPServer;
import io.github.socketserver4j.ThreadingUnixDatagramServer;
import io.github.socketserver4j.ThreadingUnixStreamServer;
import io.github.socketserver4j.UDPServer;
import io.github.socketserver4j.UnixDatagramServer;
import io.github.socketserver4j.UnixStreamServer;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The traced server classes on socketserver4j's side, the counterpart of {@code
 * make_server_class} in {@code parity_server.py}: every hook is recorded, then does what the
 * scenario's {@code server} section says, then calls the library's own implementation.
 *
 * <p>One subclass per library class, so each run exercises the real class (its socket type,
 * address family and mix-in); the subclasses are one-line overrides that hand the hook to {@link
 * Hooks} with the library's implementation ({@code super}) to call.
 *
 * <p>The settings are read during the library's constructor (bind, listen), before a subclass
 * field could be set, so they come from {@link #CONSTRUCTING} until the field is assigned.
 */
final class Traced {
  static final ThreadLocal<Hooks> CONSTRUCTING = new ThreadLocal<>();

  private Traced() {}

  @FunctionalInterface
  interface Maker {
    TCPServer make(SocketAddress address, RequestHandlerFactory factory, boolean bindAndActivate)
        throws IOException;
  }

  /** Every server class socketserver4j has, by CPython's name. */
  private static final Map<String, Maker> CLASSES = Map.ofEntries(
      Map.entry("TCPServer", Tcp::new),
      Map.entry("ThreadingTCPServer", ThreadingTcp::new),
      Map.entry("ForkingTCPServer", ForkingTcp::new),
      Map.entry("UDPServer", Udp::new),
      Map.entry("ThreadingUDPServer", ThreadingUdp::new),
      Map.entry("ForkingUDPServer", ForkingUdp::new),
      Map.entry("UnixStreamServer", UnixStream::new),
      Map.entry("ThreadingUnixStreamServer", ThreadingUnixStream::new),
      Map.entry("ForkingUnixStreamServer", ForkingUnixStream::new),
      Map.entry("UnixDatagramServer", UnixDatagram::new),
      Map.entry("ThreadingUnixDatagramServer", ThreadingUnixDatagram::new),
      Map.entry("ForkingUnixDatagramServer", ForkingUnixDatagram::new));

  /** Builds the traced subclass of {@code className}; empty if socketserver4j lacks it. */
  static Optional<TCPServer> create(
      String className, SocketAddress address, Hooks hooks, boolean bindAndActivate)
      throws IOException {
    Maker maker = CLASSES.get(className);
    if (maker == null) {
      return Optional.empty();
    }
    CONSTRUCTING.set(hooks);
    try {
      return Optional.of(maker.make(address, hooks.factory(className), bindAndActivate));
    } finally {
      CONSTRUCTING.remove();
    }
  }

  static boolean available(String className) {
    return CLASSES.containsKey(className);
  }

  /** Whether the class serves datagrams (its handler is a DatagramRequestHandler). */
  static boolean datagram(String className) {
    return className.contains("UDP") || className.contains("Datagram");
  }

  /** Whether the class serves on a Unix socket path. */
  static boolean unix(String className) {
    return className.contains("Unix");
  }

  static boolean forking(String className) {
    return className.startsWith("Forking");
  }

  /** The scenario's server settings and hook behaviours, shared by the traced classes. */
  static final class Hooks {
    final JsonNode cfg;
    final JsonNode handlerCfg;
    final Recorder rec;
    private final AtomicInteger verifyCalls = new AtomicInteger();
    private final AtomicInteger getCalls = new AtomicInteger();

    Hooks(JsonNode cfg, JsonNode handlerCfg, Recorder rec) {
      this.cfg = cfg;
      this.handlerCfg = handlerCfg;
      this.rec = rec;
    }

    RequestHandlerFactory factory(String className) {
      if (datagram(className)) {
        return () -> new Catalogue.DatagramHandler(handlerCfg, rec);
      }
      return () -> new Catalogue.Handler(handlerCfg, rec);
    }

    private String perRequest(String field, int index, String fallback) {
      JsonNode v = cfg.get(field);
      if (v == null || v.isNull()) {
        return fallback;
      }
      if (v.isArray()) {
        return v.get(Math.min(index, v.size() - 1)).asText();
      }
      return v.asText();
    }

    Optional<Duration> timeout(Optional<Duration> fallback) {
      JsonNode t = cfg.get("timeout");
      if (t == null) {
        return fallback;
      }
      return t.isNull() ? Optional.empty() : Optional.of(Duration.ofNanos((long) (t.asDouble() * 1e9)));
    }

    boolean flag(String field, boolean fallback) {
      return cfg.path(field).asBoolean(fallback);
    }

    int number(String field, int fallback) {
      return cfg.path(field).asInt(fallback);
    }

    ClientRequest getRequest(IoCall<ClientRequest> accept) throws IOException {
      int index = getCalls.getAndIncrement();
      ClientRequest r = accept.call();
      Object key = rec.remember(r.request(), r.clientAddress());
      rec.hook("get_request", key);
      if (perRequest("get_request", index, "ok").equals("fail")) {
        if (r.request() instanceof StreamRequest) { // a datagram has no connection to close
          ((StreamRequest) r.request()).close();
        }
        throw new IOException("get_request failed (scenario)");
      }
      return r;
    }

    boolean verifyRequest(Request request) {
      int index = verifyCalls.getAndIncrement();
      rec.hook("verify_request", rec.clientOf(request));
      String choice = perRequest("verify_request", index, "accept");
      if (choice.equals("raise")) {
        throw new IllegalArgumentException("verify_request raised (scenario)");
      }
      return !choice.equals("reject");
    }

    void processRequest(Request request, ExCall library) throws Exception {
      rec.hook("process_request", rec.clientOf(request));
      rec.started(request);
      library.call();
    }

    void finishRequest(Request request, ExCall library) throws Exception {
      rec.hook("finish_request", rec.clientOf(request));
      library.call();
    }

    void shutdownRequest(Request request, Runnable library) {
      rec.hook("shutdown_request", rec.clientOf(request));
      library.run();
    }

    void closeRequest(Request request, Runnable library) {
      rec.hook("close_request", rec.clientOf(request));
      try {
        library.run();
      } finally {
        rec.closed(request);
      }
    }

    void handleError(BaseServer server, Request request, Runnable library) {
      Throwable e = BaseServer.currentException().orElse(null);
      rec.hook("handle_error", rec.clientOf(request), e == null ? "none" : Catalogue.kind(e));
      String mode = Json.text(cfg, "handle_error", "quiet");
      if (mode.equals("reraise")) {
        // CPython's own test harness: close the request, then make the error fatal.
        server.closeRequest(request);
        throw Traced.<RuntimeException>sneaky(e);
      }
      if (mode.equals("default")) {
        library.run();
      }
    }

    /** A hook without a request: recorded, then the library's. */
    void serverHook(String name, Runnable library) {
      rec.hook(name, null);
      library.run();
    }
  }

  @FunctionalInterface
  interface IoCall<T> {
    T call() throws IOException;
  }

  @FunctionalInterface
  interface ExCall {
    void call() throws Exception;
  }

  @SuppressWarnings("unchecked")
  static <T extends Throwable> T sneaky(Throwable t) throws T {
    throw (T) t;
  }

  private static Hooks current(Hooks field) {
    return field != null ? field : CONSTRUCTING.get();
  }

  // The twelve traced classes. Each override hands its hook to Hooks; the bodies are identical
  // but must be written per class, because each calls its own library superclass.

  static final class Tcp extends TCPServer {
    private final Hooks h;

    Tcp(SocketAddress a, RequestHandlerFactory f, boolean bind) throws IOException {
      super(a, f, bind);
      h = CONSTRUCTING.get();
    }

    private Hooks h() {
      return current(h);
    }

    @Override public Optional<Duration> timeout() { return h().timeout(super.timeout()); }
    @Override public boolean allowReuseAddress() { return h().flag("allow_reuse_address", super.allowReuseAddress()); }
    @Override public int requestQueueSize() { return h().number("request_queue_size", super.requestQueueSize()); }
    @Override public ClientRequest getRequest() throws IOException { return h().getRequest(super::getRequest); }
    @Override public boolean verifyRequest(Request r, SocketAddress a) { return h().verifyRequest(r); }
    @Override public void processRequest(Request r, SocketAddress a) throws Exception { h().processRequest(r, () -> super.processRequest(r, a)); }
    @Override public void finishRequest(Request r, SocketAddress a) throws Exception { h().finishRequest(r, () -> super.finishRequest(r, a)); }
    @Override public void shutdownRequest(Request r) { h().shutdownRequest(r, () -> super.shutdownRequest(r)); }
    @Override public void closeRequest(Request r) { h().closeRequest(r, () -> super.closeRequest(r)); }
    @Override public void handleError(Request r, SocketAddress a) { h().handleError(this, r, () -> super.handleError(r, a)); }
    @Override public void handleTimeout() { h().serverHook("handle_timeout", super::handleTimeout); }
    @Override public void serviceActions() { h().serverHook("service_actions", super::serviceActions); }
    @Override public void serverClose() { h().serverHook("server_close", super::serverClose); }
  }

  static final class ThreadingTcp extends ThreadingTCPServer {
    private final Hooks h;

    ThreadingTcp(SocketAddress a, RequestHandlerFactory f, boolean bind) throws IOException {
      super(a, f, bind);
      h = CONSTRUCTING.get();
    }

    private Hooks h() {
      return current(h);
    }

    @Override public boolean daemonThreads() { return h().flag("daemon_threads", super.daemonThreads()); }
    @Override public boolean blockOnClose() { return h().flag("block_on_close", super.blockOnClose()); }
    @Override public Optional<Duration> timeout() { return h().timeout(super.timeout()); }
    @Override public boolean allowReuseAddress() { return h().flag("allow_reuse_address", super.allowReuseAddress()); }
    @Override public int requestQueueSize() { return h().number("request_queue_size", super.requestQueueSize()); }
    @Override public ClientRequest getRequest() throws IOException { return h().getRequest(super::getRequest); }
    @Override public boolean verifyRequest(Request r, SocketAddress a) { return h().verifyRequest(r); }
    @Override public void processRequest(Request r, SocketAddress a) throws Exception { h().processRequest(r, () -> super.processRequest(r, a)); }
    @Override public void finishRequest(Request r, SocketAddress a) throws Exception { h().finishRequest(r, () -> super.finishRequest(r, a)); }
    @Override public void shutdownRequest(Request r) { h().shutdownRequest(r, () -> super.shutdownRequest(r)); }
    @Override public void closeRequest(Request r) { h().closeRequest(r, () -> super.closeRequest(r)); }
    @Override public void handleError(Request r, SocketAddress a) { h().handleError(this, r, () -> super.handleError(r, a)); }
    @Override public void handleTimeout() { h().serverHook("handle_timeout", super::handleTimeout); }
    @Override public void serviceActions() { h().serverHook("service_actions", super::serviceActions); }
    @Override public void serverClose() { h().serverHook("server_close", super::serverClose); }
  }

  static final class ForkingTcp extends ForkingTCPServer {
    private final Hooks h;

    ForkingTcp(SocketAddress a, RequestHandlerFactory f, boolean bind) throws IOException {
      super(a, f, bind);
      h = CONSTRUCTING.get();
    }

    private Hooks h() {
      return current(h);
    }

    @Override public boolean blockOnClose() { return h().flag("block_on_close", super.blockOnClose()); }
    @Override public int maxChildren() { return h().number("max_children", super.maxChildren()); }
    @Override public Optional<Duration> timeout() { return h().timeout(super.timeout()); }
    @Override public boolean allowReuseAddress() { return h().flag("allow_reuse_address", super.allowReuseAddress()); }
    @Override public int requestQueueSize() { return h().number("request_queue_size", super.requestQueueSize()); }
    @Override public ClientRequest getRequest() throws IOException { return h().getRequest(super::getRequest); }
    @Override public boolean verifyRequest(Request r, SocketAddress a) { return h().verifyRequest(r); }
    @Override public void processRequest(Request r, SocketAddress a) throws Exception { h().processRequest(r, () -> super.processRequest(r, a)); }
    @Override public void finishRequest(Request r, SocketAddress a) throws Exception { h().finishRequest(r, () -> super.finishRequest(r, a)); }
    @Override public void shutdownRequest(Request r) { h().shutdownRequest(r, () -> super.shutdownRequest(r)); }
    @Override public void closeRequest(Request r) { h().closeRequest(r, () -> super.closeRequest(r)); }
    @Override public void handleError(Request r, SocketAddress a) { h().handleError(this, r, () -> super.handleError(r, a)); }
    @Override public void handleTimeout() { h().serverHook("handle_timeout", super::handleTimeout); }
    @Override public void serviceActions() { h().serverHook("service_actions", super::serviceActions); }
    @Override public void serverClose() { h().serverHook("server_close", super::serverClose); }
  }

  static final class Udp extends UDPServer {
    private final Hooks h;

    Udp(SocketAddress a, RequestHandlerFactory f, boolean bind) throws IOException {
      super(a, f, bind);
      h = CONSTRUCTING.get();
    }

    private Hooks h() {
      return current(h);
    }

    @Override public int maxPacketSize() { return h().number("max_packet_size", super.maxPacketSize()); }
    @Override public Optional<Duration> timeout() { return h().timeout(super.timeout()); }
    @Override public boolean allowReuseAddress() { return h().flag("allow_reuse_address", super.allowReuseAddress()); }
    @Override public int requestQueueSize() { return h().number("request_queue_size", super.requestQueueSize()); }
    @Override public ClientRequest getRequest() throws IOException { return h().getRequest(super::getRequest); }
    @Override public boolean verifyRequest(Request r, SocketAddress a) { return h().verifyRequest(r); }
    @Override public void processRequest(Request r, SocketAddress a) throws Exception { h().processRequest(r, () -> super.processRequest(r, a)); }
    @Override public void finishRequest(Request r, SocketAddress a) throws Exception { h().finishRequest(r, () -> super.finishRequest(r, a)); }
    @Override public void shutdownRequest(Request r) { h().shutdownRequest(r, () -> super.shutdownRequest(r)); }
    @Override public void closeRequest(Request r) { h().closeRequest(r, () -> super.closeRequest(r)); }
    @Override public void handleError(Request r, SocketAddress a) { h().handleError(this, r, () -> super.handleError(r, a)); }
    @Override public void handleTimeout() { h().serverHook("handle_timeout", super::handleTimeout); }
    @Override public void serviceActions() { h().serverHook("service_actions", super::serviceActions); }
    @Override public void serverClose() { h().serverHook("server_close", super::serverClose); }
  }

  static final class ThreadingUdp extends ThreadingUDPServer {
    private final Hooks h;

    ThreadingUdp(SocketAddress a, RequestHandlerFactory f, boolean bind) throws IOException {
      super(a, f, bind);
      h = CONSTRUCTING.get();
    }

    private Hooks h() {
      return current(h);
    }

    @Override public boolean daemonThreads() { return h().flag("daemon_threads", super.daemonThreads()); }
    @Override public boolean blockOnClose() { return h().flag("block_on_close", super.blockOnClose()); }
    @Override public int maxPacketSize() { return h().number("max_packet_size", super.maxPacketSize()); }
    @Override public Optional<Duration> timeout() { return h().timeout(super.timeout()); }
    @Override public boolean allowReuseAddress() { return h().flag("allow_reuse_address", super.allowReuseAddress()); }
    @Override public int requestQueueSize() { return h().number("request_queue_size", super.requestQueueSize()); }
    @Override public ClientRequest getRequest() throws IOException { return h().getRequest(super::getRequest); }
    @Override public boolean verifyRequest(Request r, SocketAddress a) { return h().verifyRequest(r); }
    @Override public void processRequest(Request r, SocketAddress a) throws Exception { h().processRequest(r, () -> super.processRequest(r, a)); }
    @Override public void finishRequest(Request r, SocketAddress a) throws Exception { h().finishRequest(r, () -> super.finishRequest(r, a)); }
    @Override public void shutdownRequest(Request r) { h().shutdownRequest(r, () -> super.shutdownRequest(r)); }
    @Override public void closeRequest(Request r) { h().closeRequest(r, () -> super.closeRequest(r)); }
    @Override public void handleError(Request r, SocketAddress a) { h().handleError(this, r, () -> super.handleError(r, a)); }
    @Override public void handleTimeout() { h().serverHook("handle_timeout", super::handleTimeout); }
    @Override public void serviceActions() { h().serverHook("service_actions", super::serviceActions); }
    @Override public void serverClose() { h().serverHook("server_close", super::serverClose); }
  }

  static final class ForkingUdp extends ForkingUDPServer {
    private final Hooks h;

    ForkingUdp(SocketAddress a, RequestHandlerFactory f, boolean bind) throws IOException {
      super(a, f, bind);
      h = CONSTRUCTING.get();
    }

    private Hooks h() {
      return current(h);
    }

    @Override public boolean blockOnClose() { return h().flag("block_on_close", super.blockOnClose()); }
    @Override public int maxChildren() { return h().number("max_children", super.maxChildren()); }
    @Override public int maxPacketSize() { return h().number("max_packet_size", super.maxPacketSize()); }
    @Override public Optional<Duration> timeout() { return h().timeout(super.timeout()); }
    @Override public boolean allowReuseAddress() { return h().flag("allow_reuse_address", super.allowReuseAddress()); }
    @Override public int requestQueueSize() { return h().number("request_queue_size", super.requestQueueSize()); }
    @Override public ClientRequest getRequest() throws IOException { return h().getRequest(super::getRequest); }
    @Override public boolean verifyRequest(Request r, SocketAddress a) { return h().verifyRequest(r); }
    @Override public void processRequest(Request r, SocketAddress a) throws Exception { h().processRequest(r, () -> super.processRequest(r, a)); }
    @Override public void finishRequest(Request r, SocketAddress a) throws Exception { h().finishRequest(r, () -> super.finishRequest(r, a)); }
    @Override public void shutdownRequest(Request r) { h().shutdownRequest(r, () -> super.shutdownRequest(r)); }
    @Override public void closeRequest(Request r) { h().closeRequest(r, () -> super.closeRequest(r)); }
    @Override public void handleError(Request r, SocketAddress a) { h().handleError(this, r, () -> super.handleError(r, a)); }
    @Override public void handleTimeout() { h().serverHook("handle_timeout", super::handleTimeout); }
    @Override public void serviceActions() { h().serverHook("service_actions", super::serviceActions); }
    @Override public void serverClose() { h().serverHook("server_close", super::serverClose); }
  }

  static final class UnixStream extends UnixStreamServer {
    private final Hooks h;

    UnixStream(SocketAddress a, RequestHandlerFactory f, boolean bind) throws IOException {
      super(a, f, bind);
      h = CONSTRUCTING.get();
    }

    private Hooks h() {
      return current(h);
    }

    @Override public Optional<Duration> timeout() { return h().timeout(super.timeout()); }
    @Override public boolean allowReuseAddress() { return h().flag("allow_reuse_address", super.allowReuseAddress()); }
    @Override public int requestQueueSize() { return h().number("request_queue_size", super.requestQueueSize()); }
    @Override public ClientRequest getRequest() throws IOException { return h().getRequest(super::getRequest); }
    @Override public boolean verifyRequest(Request r, SocketAddress a) { return h().verifyRequest(r); }
    @Override public void processRequest(Request r, SocketAddress a) throws Exception { h().processRequest(r, () -> super.processRequest(r, a)); }
    @Override public void finishRequest(Request r, SocketAddress a) throws Exception { h().finishRequest(r, () -> super.finishRequest(r, a)); }
    @Override public void shutdownRequest(Request r) { h().shutdownRequest(r, () -> super.shutdownRequest(r)); }
    @Override public void closeRequest(Request r) { h().closeRequest(r, () -> super.closeRequest(r)); }
    @Override public void handleError(Request r, SocketAddress a) { h().handleError(this, r, () -> super.handleError(r, a)); }
    @Override public void handleTimeout() { h().serverHook("handle_timeout", super::handleTimeout); }
    @Override public void serviceActions() { h().serverHook("service_actions", super::serviceActions); }
    @Override public void serverClose() { h().serverHook("server_close", super::serverClose); }
  }

  static final class ThreadingUnixStream extends ThreadingUnixStreamServer {
    private final Hooks h;

    ThreadingUnixStream(SocketAddress a, RequestHandlerFactory f, boolean bind) throws IOException {
      super(a, f, bind);
      h = CONSTRUCTING.get();
    }

    private Hooks h() {
      return current(h);
    }

    @Override public boolean daemonThreads() { return h().flag("daemon_threads", super.daemonThreads()); }
    @Override public boolean blockOnClose() { return h().flag("block_on_close", super.blockOnClose()); }
    @Override public Optional<Duration> timeout() { return h().timeout(super.timeout()); }
    @Override public boolean allowReuseAddress() { return h().flag("allow_reuse_address", super.allowReuseAddress()); }
    @Override public int requestQueueSize() { return h().number("request_queue_size", super.requestQueueSize()); }
    @Override public ClientRequest getRequest() throws IOException { return h().getRequest(super::getRequest); }
    @Override public boolean verifyRequest(Request r, SocketAddress a) { return h().verifyRequest(r); }
    @Override public void processRequest(Request r, SocketAddress a) throws Exception { h().processRequest(r, () -> super.processRequest(r, a)); }
    @Override public void finishRequest(Request r, SocketAddress a) throws Exception { h().finishRequest(r, () -> super.finishRequest(r, a)); }
    @Override public void shutdownRequest(Request r) { h().shutdownRequest(r, () -> super.shutdownRequest(r)); }
    @Override public void closeRequest(Request r) { h().closeRequest(r, () -> super.closeRequest(r)); }
    @Override public void handleError(Request r, SocketAddress a) { h().handleError(this, r, () -> super.handleError(r, a)); }
    @Override public void handleTimeout() { h().serverHook("handle_timeout", super::handleTimeout); }
    @Override public void serviceActions() { h().serverHook("service_actions", super::serviceActions); }
    @Override public void serverClose() { h().serverHook("server_close", super::serverClose); }
  }

  static final class ForkingUnixStream extends ForkingUnixStreamServer {
    private final Hooks h;

    ForkingUnixStream(SocketAddress a, RequestHandlerFactory f, boolean bind) throws IOException {
      super(a, f, bind);
      h = CONSTRUCTING.get();
    }

    private Hooks h() {
      return current(h);
    }

    @Override public boolean blockOnClose() { return h().flag("block_on_close", super.blockOnClose()); }
    @Override public int maxChildren() { return h().number("max_children", super.maxChildren()); }
    @Override public Optional<Duration> timeout() { return h().timeout(super.timeout()); }
    @Override public boolean allowReuseAddress() { return h().flag("allow_reuse_address", super.allowReuseAddress()); }
    @Override public int requestQueueSize() { return h().number("request_queue_size", super.requestQueueSize()); }
    @Override public ClientRequest getRequest() throws IOException { return h().getRequest(super::getRequest); }
    @Override public boolean verifyRequest(Request r, SocketAddress a) { return h().verifyRequest(r); }
    @Override public void processRequest(Request r, SocketAddress a) throws Exception { h().processRequest(r, () -> super.processRequest(r, a)); }
    @Override public void finishRequest(Request r, SocketAddress a) throws Exception { h().finishRequest(r, () -> super.finishRequest(r, a)); }
    @Override public void shutdownRequest(Request r) { h().shutdownRequest(r, () -> super.shutdownRequest(r)); }
    @Override public void closeRequest(Request r) { h().closeRequest(r, () -> super.closeRequest(r)); }
    @Override public void handleError(Request r, SocketAddress a) { h().handleError(this, r, () -> super.handleError(r, a)); }
    @Override public void handleTimeout() { h().serverHook("handle_timeout", super::handleTimeout); }
    @Override public void serviceActions() { h().serverHook("service_actions", super::serviceActions); }
    @Override public void serverClose() { h().serverHook("server_close", super::serverClose); }
  }

  static final class UnixDatagram extends UnixDatagramServer {
    private final Hooks h;

    UnixDatagram(SocketAddress a, RequestHandlerFactory f, boolean bind) throws IOException {
      super(a, f, bind);
      h = CONSTRUCTING.get();
    }

    private Hooks h() {
      return current(h);
    }

    @Override public int maxPacketSize() { return h().number("max_packet_size", super.maxPacketSize()); }
    @Override public Optional<Duration> timeout() { return h().timeout(super.timeout()); }
    @Override public boolean allowReuseAddress() { return h().flag("allow_reuse_address", super.allowReuseAddress()); }
    @Override public int requestQueueSize() { return h().number("request_queue_size", super.requestQueueSize()); }
    @Override public ClientRequest getRequest() throws IOException { return h().getRequest(super::getRequest); }
    @Override public boolean verifyRequest(Request r, SocketAddress a) { return h().verifyRequest(r); }
    @Override public void processRequest(Request r, SocketAddress a) throws Exception { h().processRequest(r, () -> super.processRequest(r, a)); }
    @Override public void finishRequest(Request r, SocketAddress a) throws Exception { h().finishRequest(r, () -> super.finishRequest(r, a)); }
    @Override public void shutdownRequest(Request r) { h().shutdownRequest(r, () -> super.shutdownRequest(r)); }
    @Override public void closeRequest(Request r) { h().closeRequest(r, () -> super.closeRequest(r)); }
    @Override public void handleError(Request r, SocketAddress a) { h().handleError(this, r, () -> super.handleError(r, a)); }
    @Override public void handleTimeout() { h().serverHook("handle_timeout", super::handleTimeout); }
    @Override public void serviceActions() { h().serverHook("service_actions", super::serviceActions); }
    @Override public void serverClose() { h().serverHook("server_close", super::serverClose); }
  }

  static final class ThreadingUnixDatagram extends ThreadingUnixDatagramServer {
    private final Hooks h;

    ThreadingUnixDatagram(SocketAddress a, RequestHandlerFactory f, boolean bind) throws IOException {
      super(a, f, bind);
      h = CONSTRUCTING.get();
    }

    private Hooks h() {
      return current(h);
    }

    @Override public boolean daemonThreads() { return h().flag("daemon_threads", super.daemonThreads()); }
    @Override public boolean blockOnClose() { return h().flag("block_on_close", super.blockOnClose()); }
    @Override public int maxPacketSize() { return h().number("max_packet_size", super.maxPacketSize()); }
    @Override public Optional<Duration> timeout() { return h().timeout(super.timeout()); }
    @Override public boolean allowReuseAddress() { return h().flag("allow_reuse_address", super.allowReuseAddress()); }
    @Override public int requestQueueSize() { return h().number("request_queue_size", super.requestQueueSize()); }
    @Override public ClientRequest getRequest() throws IOException { return h().getRequest(super::getRequest); }
    @Override public boolean verifyRequest(Request r, SocketAddress a) { return h().verifyRequest(r); }
    @Override public void processRequest(Request r, SocketAddress a) throws Exception { h().processRequest(r, () -> super.processRequest(r, a)); }
    @Override public void finishRequest(Request r, SocketAddress a) throws Exception { h().finishRequest(r, () -> super.finishRequest(r, a)); }
    @Override public void shutdownRequest(Request r) { h().shutdownRequest(r, () -> super.shutdownRequest(r)); }
    @Override public void closeRequest(Request r) { h().closeRequest(r, () -> super.closeRequest(r)); }
    @Override public void handleError(Request r, SocketAddress a) { h().handleError(this, r, () -> super.handleError(r, a)); }
    @Override public void handleTimeout() { h().serverHook("handle_timeout", super::handleTimeout); }
    @Override public void serviceActions() { h().serverHook("service_actions", super::serviceActions); }
    @Override public void serverClose() { h().serverHook("server_close", super::serverClose); }
  }

  static final class ForkingUnixDatagram extends ForkingUnixDatagramServer {
    private final Hooks h;

    ForkingUnixDatagram(SocketAddress a, RequestHandlerFactory f, boolean bind) throws IOException {
      super(a, f, bind);
      h = CONSTRUCTING.get();
    }

    private Hooks h() {
      return current(h);
    }

    @Override public boolean blockOnClose() { return h().flag("block_on_close", super.blockOnClose()); }
    @Override public int maxChildren() { return h().number("max_children", super.maxChildren()); }
    @Override public int maxPacketSize() { return h().number("max_packet_size", super.maxPacketSize()); }
    @Override public Optional<Duration> timeout() { return h().timeout(super.timeout()); }
    @Override public boolean allowReuseAddress() { return h().flag("allow_reuse_address", super.allowReuseAddress()); }
    @Override public int requestQueueSize() { return h().number("request_queue_size", super.requestQueueSize()); }
    @Override public ClientRequest getRequest() throws IOException { return h().getRequest(super::getRequest); }
    @Override public boolean verifyRequest(Request r, SocketAddress a) { return h().verifyRequest(r); }
    @Override public void processRequest(Request r, SocketAddress a) throws Exception { h().processRequest(r, () -> super.processRequest(r, a)); }
    @Override public void finishRequest(Request r, SocketAddress a) throws Exception { h().finishRequest(r, () -> super.finishRequest(r, a)); }
    @Override public void shutdownRequest(Request r) { h().shutdownRequest(r, () -> super.shutdownRequest(r)); }
    @Override public void closeRequest(Request r) { h().closeRequest(r, () -> super.closeRequest(r)); }
    @Override public void handleError(Request r, SocketAddress a) { h().handleError(this, r, () -> super.handleError(r, a)); }
    @Override public void handleTimeout() { h().serverHook("handle_timeout", super::handleTimeout); }
    @Override public void serviceActions() { h().serverHook("service_actions", super::serviceActions); }
    @Override public void serverClose() { h().serverHook("server_close", super::serverClose); }
  }
}
