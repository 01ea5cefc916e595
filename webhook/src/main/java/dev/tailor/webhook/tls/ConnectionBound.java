package dev.tailor.webhook.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ServerChannel;
import io.vertx.core.impl.VertxBuilder;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.transport.Transport;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * At most {@code quarkus.http.limits.max-connections} connections are open on a listening port, counted from the
 * moment the connection is accepted: one beyond the bound is closed before anything is read from it, so it costs
 * neither a TLS handshake nor its buffers.
 *
 * <p>Quarkus counts a connection only once its handshake is done, and so did Tailor until this: handshakes under way
 * had no bound at all, and a connection beyond the bound cost its handshake before it was closed. (When vegeta at
 * 1,500/s opened up to 11,856 connections at once, session 22, the webhook's RSS went to 366 MiB, above the
 * Deployment's limit (320 MiB then); how much of that the handshakes were is not shown.) Counted at accept, a connection
 * still shaking hands holds a place until its handshake is done or {@code tailor.tls.handshake-timeout} closes it.
 *
 * <p>Vert.x has no hook before the handshake; its transport makes the listening channels, so this wraps the transport
 * Vert.x chose (NIO, epoll) and puts a counter in front of each listening channel's acceptor. Client channels are left
 * as they are. Loaded by Vert.x's service loader ({@code META-INF/services}) for every Vert.x instance in the JVM.
 * Vert.x then says its transport is native ({@code isNativeTransportEnabled} asks only whether it is the JDK's); only
 * Quarkus's debug log reads that.
 */
public final class ConnectionBound implements VertxServiceProvider {

    private static final Logger LOG = Logger.getLogger(ConnectionBound.class);
    private static final String LIMIT = "quarkus.http.limits.max-connections";

    /**
     * {@code tailor_connections_refused_total}: connections closed at accept since Quarkus's Vert.x started. Read from
     * its transport, through a JDK interface: the transport may have been made by an earlier class loader of this
     * class (a test run restarts the application in one JVM and keeps Vert.x).
     */
    @jakarta.inject.Singleton
    static final class Metric implements io.micrometer.core.instrument.binder.MeterBinder {
        private final io.vertx.core.Vertx vertx;

        Metric(io.vertx.core.Vertx vertx) {
            this.vertx = vertx;
        }

        @Override
        public void bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
            if (vertx instanceof io.vertx.core.impl.VertxInternal internal
                    && internal.transport() instanceof java.util.function.LongSupplier refused) {
                io.micrometer.core.instrument.FunctionCounter.builder(
                                "tailor.connections.refused", refused, java.util.function.LongSupplier::getAsLong)
                        .description("Connections closed as soon as they were accepted: " + LIMIT + " were open")
                        .register(registry);
            }
        }
    }

    @Override
    public void init(VertxBuilder builder) {
        Optional<Integer> limit = ConfigProvider.getConfig().getOptionalValue(LIMIT, Integer.class);
        Transport chosen = builder.findTransport();
        if (limit.isPresent() && chosen != null) {
            builder.findTransport(new BoundedTransport(chosen, limit.get(), new AtomicLong()));
        }
    }

    /** Vert.x's transport, with every listening channel it makes bounded; it counts the connections refused. */
    private record BoundedTransport(Transport transport, int limit, AtomicLong refused)
            implements Transport, java.util.function.LongSupplier {

        @Override
        public long getAsLong() {
            return refused.get();
        }

        @Override
        public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
            ChannelFactory<? extends ServerChannel> channels = transport.serverChannelFactory(domainSocket);
            return () -> {
                ServerChannel channel = channels.newChannel();
                // First in the pipeline: ahead of the acceptor the bootstrap adds once the channel is registered.
                channel.pipeline().addFirst("tailor-connection-bound", new Bound(limit, refused));
                LOG.infof(
                        "a listening port holds at most %d connections, counted from accept, before their TLS handshake"
                                + " (%s)",
                        limit, LIMIT);
                return channel;
            };
        }

        @Override
        public boolean supportsDomainSockets() {
            return transport.supportsDomainSockets();
        }

        @Override
        public boolean supportFileRegion() {
            return transport.supportFileRegion();
        }

        @Override
        public boolean isAvailable() {
            return transport.isAvailable();
        }

        @Override
        public Throwable unavailabilityCause() {
            return transport.unavailabilityCause();
        }

        @Override
        public java.net.SocketAddress convert(io.vertx.core.net.SocketAddress address) {
            return transport.convert(address);
        }

        @Override
        public io.vertx.core.net.SocketAddress convert(java.net.SocketAddress address) {
            return transport.convert(address);
        }

        @Override
        public io.netty.channel.EventLoopGroup eventLoopGroup(
                int type, int threads, java.util.concurrent.ThreadFactory factory, int ioRatio) {
            return transport.eventLoopGroup(type, threads, factory, ioRatio);
        }

        @Override
        public io.netty.channel.socket.DatagramChannel datagramChannel() {
            return transport.datagramChannel();
        }

        @Override
        public io.netty.channel.socket.DatagramChannel datagramChannel(
                io.netty.channel.socket.InternetProtocolFamily family) {
            return transport.datagramChannel(family);
        }

        @Override
        public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
            return transport.channelFactory(domainSocket);
        }

        @Override
        public void configure(
                io.netty.channel.socket.DatagramChannel channel, io.vertx.core.datagram.DatagramSocketOptions options) {
            transport.configure(channel, options);
        }

        @Override
        public void configure(
                io.vertx.core.net.ClientOptionsBase options,
                boolean domainSocket,
                io.netty.bootstrap.Bootstrap bootstrap) {
            transport.configure(options, domainSocket, bootstrap);
        }

        @Override
        public void configure(
                io.vertx.core.net.NetServerOptions options,
                boolean domainSocket,
                io.netty.bootstrap.ServerBootstrap bootstrap) {
            transport.configure(options, domainSocket, bootstrap);
        }
    }

    /**
     * On a listening channel, each message read is a connection just accepted and not yet registered with an event
     * loop: it passes on to the acceptor while fewer than the limit are open, and is closed otherwise.
     */
    @ChannelHandler.Sharable
    static final class Bound extends ChannelInboundHandlerAdapter {

        private static final long WARN_EVERY = TimeUnit.MINUTES.toNanos(1);

        private final int limit;
        private final AtomicLong refused;
        private final AtomicInteger open = new AtomicInteger();
        private final AtomicLong lastWarned = new AtomicLong(System.nanoTime() - WARN_EVERY);

        Bound(int limit, AtomicLong refused) {
            this.limit = limit;
            this.refused = refused;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Channel connection)) {
                ctx.fireChannelRead(msg);
                return;
            }
            if (open.incrementAndGet() > limit) {
                open.decrementAndGet();
                connection.unsafe().closeForcibly();
                refused.incrementAndGet();
                warn(ctx.channel());
                return;
            }
            connection.closeFuture().addListener(closed -> open.decrementAndGet());
            ctx.fireChannelRead(msg);
        }

        private void warn(Channel listening) {
            long now = System.nanoTime();
            long last = lastWarned.get();
            if (now - last >= WARN_EVERY && lastWarned.compareAndSet(last, now)) {
                LOG.warnf(
                        "%s: %d connections are open, the most %s allows; new ones are closed at once (%d so far,"
                                + " tailor_connections_refused_total)",
                        listening.localAddress(), limit, LIMIT, refused.get());
            }
        }
    }
}
