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
 * Works around a Netty 4.2.18 epoll bug (still in 4.2.20) that cuts connections whose input was
 * half-closed: CPython's "read the request to end of stream, then reply" loses the end of a reply
 * larger than the socket's send buffer.
 *
 * <p>When a channel wants no events, {@code EpollIoHandler}'s registration deletes its descriptor
 * from the epoll set ({@code EPOLL_CTL_DEL}, netty#16689) but still believes it is added, so the
 * next interest (EPOLLOUT for a blocked write, EPOLLIN for a read) is an {@code EPOLL_CTL_MOD}
 * that fails with ENOENT, and the channel is closed with its writes pending. A stream channel wants
 * no events only after its input is shut down (the peer's FIN clears EPOLLRDHUP), which is exactly
 * the half-closed state socketserver handlers reply in.
 *
 * <p>This factory wraps each registration: "no events" is submitted as a mask with only {@code
 * EPOLLET}, which keeps the descriptor in the set without waking the loop (edge-triggered, so an
 * EPOLLHUP is reported once, not in a loop, which is what netty#16689 set out to avoid).
 */
final class EpollRegistrations implements IoHandlerFactory {
  /** No events, but still in the epoll set. */
  private static final EpollIoOps PARKED = EpollIoOps.EPOLLET;

  private final IoHandlerFactory netty;

  private EpollRegistrations(IoHandlerFactory netty) {
    this.netty = netty;
  }

  /** Netty's epoll handler factory, with the registration fix. */
  static IoHandlerFactory wrap(IoHandlerFactory netty) {
    return new EpollRegistrations(netty);
  }

  @Override
  public IoHandler newHandler(ThreadAwareExecutor executor) {
    return new Handler(netty.newHandler(executor));
  }

  @Override
  public boolean isChangingThreadSupported() {
    return netty.isChangingThreadSupported();
  }

  private static final class Handler implements IoHandler {
    private final IoHandler netty;

    Handler(IoHandler netty) {
      this.netty = netty;
    }

    @Override
    public void initialize() {
      netty.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
      return netty.run(context);
    }

    @Override
    public void prepareToDestroy() {
      netty.prepareToDestroy();
    }

    @Override
    public void destroy() {
      netty.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
      return new Registration(netty.register(handle));
    }

    @Override
    public void wakeup() {
      netty.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
      return netty.isCompatible(handleType);
    }
  }

  private static final class Registration implements IoRegistration {
    private final IoRegistration netty;

    Registration(IoRegistration netty) {
      this.netty = netty;
    }

    @Override
    public <T> T attachment() {
      return netty.attachment();
    }

    @Override
    public long submit(IoOps ops) {
      if (ops instanceof EpollIoOps && ((EpollIoOps) ops).value() == EpollIoOps.NONE.value()) {
        long submitted = netty.submit(PARKED);
        return submitted < 0 ? submitted : 0;
      }
      return netty.submit(ops);
    }

    @Override
    public boolean isValid() {
      return netty.isValid();
    }

    @Override
    public boolean cancel() {
      return netty.cancel();
    }

    @Override
    public String toString() {
      return netty.toString();
    }
  }
}
