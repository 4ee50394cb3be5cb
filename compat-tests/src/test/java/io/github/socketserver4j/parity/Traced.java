package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.socketserver4j.BaseServer;
import io.github.socketserver4j.ClientRequest;
import io.github.socketserver4j.Request;
import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.StreamRequest;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingTCPServer;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The traced server classes on socketserver4j's side, the counterpart of {@code
 * make_server_class} in {@code parity_server.py}: every hook is recorded, then does what the
 * scenario's {@code server} section says, then calls the library's own implementation.
 *
 * <p>The settings are read during the library's constructor (bind, listen), before a subclass
 * field could be set, so they come from {@link #CONSTRUCTING} until the field is assigned.
 */
final class Traced {
  static final ThreadLocal<Hooks> CONSTRUCTING = new ThreadLocal<>();

  private Traced() {}

  /** Which server classes socketserver4j has; the others are reported as not yet available. */
  static Optional<TCPServer> create(String className, SocketAddress address, Hooks hooks)
      throws IOException {
    CONSTRUCTING.set(hooks);
    try {
      switch (className) {
        case "TCPServer":
          return Optional.of(new Tcp(address, hooks.factory()));
        case "ThreadingTCPServer":
          return Optional.of(new ThreadingTcp(address, hooks.factory()));
        default:
          return Optional.empty();
      }
    } finally {
      CONSTRUCTING.remove();
    }
  }

  static boolean available(String className) {
    return className.equals("TCPServer") || className.equals("ThreadingTCPServer");
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

    RequestHandlerFactory factory() {
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
        ((StreamRequest) r.request()).close();
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

    /** Returns whether the library's own handleError should run (the "default" setting). */
    boolean handleError(BaseServer server, Request request) {
      Throwable e = BaseServer.currentException().orElse(null);
      rec.hook("handle_error", rec.clientOf(request), e == null ? "none" : Catalogue.kind(e));
      String mode = Json.text(cfg, "handle_error", "quiet");
      if (mode.equals("reraise")) {
        // CPython's own test harness: close the request, then make the error fatal.
        server.closeRequest(request);
        throw Traced.<RuntimeException>sneaky(e);
      }
      return mode.equals("default");
    }
  }

  @FunctionalInterface
  interface IoCall<T> {
    T call() throws IOException;
  }

  @SuppressWarnings("unchecked")
  static <T extends Throwable> T sneaky(Throwable t) throws T {
    throw (T) t;
  }

  private static Hooks current(Hooks field) {
    return field != null ? field : CONSTRUCTING.get();
  }

  static final class Tcp extends TCPServer {
    private final Hooks h;

    Tcp(SocketAddress address, RequestHandlerFactory factory) throws IOException {
      super(address, factory);
      h = CONSTRUCTING.get();
    }

    private Hooks h() {
      return current(h);
    }

    @Override
    public Optional<Duration> timeout() {
      return h().timeout(super.timeout());
    }

    @Override
    public boolean allowReuseAddress() {
      return h().flag("allow_reuse_address", super.allowReuseAddress());
    }

    @Override
    public int requestQueueSize() {
      return h().number("request_queue_size", super.requestQueueSize());
    }

    @Override
    public ClientRequest getRequest() throws IOException {
      return h().getRequest(super::getRequest);
    }

    @Override
    public boolean verifyRequest(Request request, SocketAddress clientAddress) {
      return h().verifyRequest(request);
    }

    @Override
    public void processRequest(Request request, SocketAddress clientAddress) throws Exception {
      h().rec.hook("process_request", h().rec.clientOf(request));
      h().rec.started(request);
      super.processRequest(request, clientAddress);
    }

    @Override
    public void finishRequest(Request request, SocketAddress clientAddress) throws Exception {
      h().rec.hook("finish_request", h().rec.clientOf(request));
      super.finishRequest(request, clientAddress);
    }

    @Override
    public void shutdownRequest(Request request) {
      h().rec.hook("shutdown_request", h().rec.clientOf(request));
      super.shutdownRequest(request);
    }

    @Override
    public void closeRequest(Request request) {
      h().rec.hook("close_request", h().rec.clientOf(request));
      try {
        super.closeRequest(request);
      } finally {
        h().rec.closed(request);
      }
    }

    @Override
    public void handleError(Request request, SocketAddress clientAddress) {
      if (h().handleError(this, request)) {
        super.handleError(request, clientAddress);
      }
    }

    @Override
    public void handleTimeout() {
      h().rec.hook("handle_timeout", null);
      super.handleTimeout();
    }

    @Override
    public void serviceActions() {
      h().rec.hook("service_actions", null);
      super.serviceActions();
    }

    @Override
    public void serverClose() {
      h().rec.hook("server_close", null);
      super.serverClose();
    }
  }

  /** The same as {@link Tcp} for ThreadingTCPServer, plus the mix-in's two settings. */
  static final class ThreadingTcp extends ThreadingTCPServer {
    private final Hooks h;

    ThreadingTcp(SocketAddress address, RequestHandlerFactory factory) throws IOException {
      super(address, factory);
      h = CONSTRUCTING.get();
    }

    private Hooks h() {
      return current(h);
    }

    @Override
    public boolean daemonThreads() {
      return h().flag("daemon_threads", super.daemonThreads());
    }

    @Override
    public boolean blockOnClose() {
      return h().flag("block_on_close", super.blockOnClose());
    }

    @Override
    public Optional<Duration> timeout() {
      return h().timeout(super.timeout());
    }

    @Override
    public boolean allowReuseAddress() {
      return h().flag("allow_reuse_address", super.allowReuseAddress());
    }

    @Override
    public int requestQueueSize() {
      return h().number("request_queue_size", super.requestQueueSize());
    }

    @Override
    public ClientRequest getRequest() throws IOException {
      return h().getRequest(super::getRequest);
    }

    @Override
    public boolean verifyRequest(Request request, SocketAddress clientAddress) {
      return h().verifyRequest(request);
    }

    @Override
    public void processRequest(Request request, SocketAddress clientAddress) throws Exception {
      h().rec.hook("process_request", h().rec.clientOf(request));
      h().rec.started(request);
      super.processRequest(request, clientAddress);
    }

    @Override
    public void finishRequest(Request request, SocketAddress clientAddress) throws Exception {
      h().rec.hook("finish_request", h().rec.clientOf(request));
      super.finishRequest(request, clientAddress);
    }

    @Override
    public void shutdownRequest(Request request) {
      h().rec.hook("shutdown_request", h().rec.clientOf(request));
      super.shutdownRequest(request);
    }

    @Override
    public void closeRequest(Request request) {
      h().rec.hook("close_request", h().rec.clientOf(request));
      try {
        super.closeRequest(request);
      } finally {
        h().rec.closed(request);
      }
    }

    @Override
    public void handleError(Request request, SocketAddress clientAddress) {
      if (h().handleError(this, request)) {
        super.handleError(request, clientAddress);
      }
    }

    @Override
    public void handleTimeout() {
      h().rec.hook("handle_timeout", null);
      super.handleTimeout();
    }

    @Override
    public void serviceActions() {
      h().rec.hook("service_actions", null);
      super.serviceActions();
    }

    @Override
    public void serverClose() {
      h().rec.hook("server_close", null);
      super.serverClose();
    }
  }
}
