package com.wagateway.realtime;

import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.messages.PacketsMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;

/**
 * Makes a namespace CONNECT without any auth payload go through the auth listener too.
 * <p>
 * netty-socketio calls {@code AuthTokenListener}s only when the CONNECT packet carries data;
 * a client that sends no {@code auth} at all would be let in. This handler sits before the
 * packet handler and rewrites such a bare {@code 40/realtime,} into {@code 40/realtime,{}}, so
 * the listener sees an empty token and the client gets a proper {@code connect_error}.
 */
final class BareConnectGuard {

    private BareConnectGuard() {
    }

    /** The library's channel initializer with the guard inserted before its packet handler. */
    static final class Initializer extends SocketIOChannelInitializer {
        private final String namespace;

        Initializer(String namespace) {
            this.namespace = namespace;
        }

        @Override
        protected void initChannel(Channel ch) throws Exception {
            super.initChannel(ch);
            ch.pipeline().addBefore(PACKET_HANDLER, "realtimeBareConnectGuard", new Handler(namespace));
        }
    }

    @ChannelHandler.Sharable
    static final class Handler extends ChannelInboundHandlerAdapter {
        private final String namespace;

        Handler(String namespace) {
            this.namespace = namespace;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof PacketsMessage) {
                PacketsMessage m = (PacketsMessage) msg;
                String text = m.getContent().toString(StandardCharsets.UTF_8);
                String fixed = rewrite(text, namespace);
                if (!fixed.equals(text)) {
                    // the transport releases the original buffer after this read returns; the copy is
                    // an unpooled heap buffer, reclaimed by the garbage collector
                    ByteBuf content = Unpooled.copiedBuffer(fixed, StandardCharsets.UTF_8);
                    msg = new PacketsMessage(m.getClient(), content, m.getTransport());
                }
            }
            super.channelRead(ctx, msg);
        }
    }

    /**
     * Engine.IO v4 payload (packets separated by 0x1e) with every bare CONNECT to
     * {@code namespace} given an empty JSON object. Anything else is returned unchanged.
     */
    static String rewrite(String payload, String namespace) {
        String bare = "40" + namespace;
        if (!payload.contains(bare)) {
            return payload;
        }
        String[] parts = payload.split("\u001e", -1);
        boolean changed = false;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.equals(bare) || p.equals(bare + ",")) {
                parts[i] = bare + ",{}";
                changed = true;
            }
        }
        return changed ? String.join("\u001e", parts) : payload;
    }
}
