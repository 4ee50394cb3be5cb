package io.github.socketserver4j.netty;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Works around a bug in Netty 4.2.18's epoll transport that loses data after a peer's half-close.
 *
 * <p>When a channel's interest set becomes empty, {@code EpollIoHandler} removes the socket from
 * epoll ({@code EPOLL_CTL_DEL}, netty#16689) but keeps treating it as added, so the next interest
 * change ({@code EPOLL_CTL_MOD}) fails with ENOENT. The set becomes empty after every end of input
 * (EPOLLIN and EPOLLRDHUP are cleared), and the next change then breaks the connection: a reply too
 * large for the socket buffer needs EPOLLOUT, and Netty shuts the output down halfway (the client
 * gets a truncated reply), or a read request raced with the end of input and Netty closes the
 * channel (the reply is lost).
 *
 * <p>The fix never hands Netty an empty set: it registers edge-triggered interest in nothing
 * ({@code EPOLLET} alone) instead. The socket stays in epoll, so later changes work, and the
 * always-reported EPOLLHUP and EPOLLERR wake the loop once per change, not in a loop, which is what
 * the removal was for.
 *
 * <p>The registrations it makes also tell a channel's {@link DirectWriter} when its descriptor
 * may close: Netty cancels an epoll channel's registration before it closes the descriptor.
 */
final class EpollEmptyInterestFix implements IoHandler {
  private final IoHandler delegate;

  private EpollEmptyInterestFix(IoHandler delegate) {
    this.delegate = delegate;
  }

  /** Wraps the handlers of {@code factory}. */
  static IoHandlerFactory wrap(IoHandlerFactory factory) {
    return new IoHandlerFactory() {
      @Override
      public IoHandler newHandler(ThreadAwareExecutor executor) {
        return new EpollEmptyInterestFix(factory.newHandler(executor));
      }

      @Override
      public boolean isChangingThreadSupported() {
        return factory.isChangingThreadSupported();
      }
    };
  }

  @Override
  public void initialize() {
    delegate.initialize();
  }

  @Override
  public int run(IoHandlerContext context) {
    return delegate.run(context);
  }

  @Override
  public void prepareToDestroy() {
    delegate.prepareToDestroy();
  }

  @Override
  public void destroy() {
    delegate.destroy();
  }

  @Override
  public IoRegistration register(IoHandle handle) throws Exception {
    // The wrapper is also where a DirectWriter learns that its descriptor may close.
    IoRegistration registration = delegate.register(handle);
    return new Registration(registration, DirectWriter.registered(handle));
  }

  @Override
  public void wakeup() {
    delegate.wakeup();
  }

  @Override
  public boolean isCompatible(Class<? extends IoHandle> handleType) {
    return delegate.isCompatible(handleType);
  }

  private static final class Registration implements IoRegistration {
    private final IoRegistration delegate;
    private final DirectWriter writer; // null if the channel has none

    Registration(IoRegistration delegate, DirectWriter writer) {
      this.delegate = delegate;
      this.writer = writer;
    }

    @Override
    public <T> T attachment() {
      return delegate.attachment();
    }

    @Override
    public long submit(IoOps ops) {
      boolean empty = ops instanceof EpollIoOps && ((EpollIoOps) ops).value() == 0;
      return delegate.submit(empty ? EpollIoOps.EPOLLET : ops);
    }

    @Override
    public boolean isValid() {
      return delegate.isValid();
    }

    @Override
    public boolean cancel() {
      if (writer != null) {
        writer.closing(); // Netty closes the descriptor after the cancel: no send may follow
      }
      return delegate.cancel();
    }
  }
}
