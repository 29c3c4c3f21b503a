package org.jfail2ban.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A client's connection to a server socket: sends commands, reads replies, with an optional
 * timeout per reply (ping uses one; other commands wait as long as the server works).
 */
public final class Connection implements AutoCloseable {

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer in = ByteBuffer.allocate(8192);
    private final long timeoutMillis;

    private Connection(SocketChannel channel, Selector selector, long timeoutMillis) {
        this.channel = channel;
        this.selector = selector;
        this.timeoutMillis = timeoutMillis;
        in.flip();
    }

    /**
     * Connects; {@code timeoutMillis <= 0} waits for replies without limit (a plain blocking
     * socket: no selector to set up, which a one-shot client would feel).
     */
    public static Connection open(Path socket, long timeoutMillis) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            Selector sel = null;
            if (timeoutMillis > 0) {
                ch.configureBlocking(false);
                sel = Selector.open();
                ch.register(sel, SelectionKey.OP_READ);
            }
            return new Connection(ch, sel, timeoutMillis);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Sends one command and waits for its reply. */
    public Reply send(List<?> command) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        Json.write(sb, command);
        sb.append('\n');
        ByteBuffer out = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
        long deadline = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000 : 0;
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                // the server reads slowly (a long stream): wait a moment and go on
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
            }
        }
        String line = readLine(deadline);
        try {
            return Reply.fromWire(Json.parse(line));
        } catch (IllegalArgumentException e) {
            throw new IOException("unreadable reply from the server: " + e.getMessage());
        }
    }

    private String readLine(long deadline) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
        while (true) {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (b == '\n') {
                    return buf.toString(StandardCharsets.UTF_8);
                }
                if (buf.size() >= Wire.MAX_MESSAGE) {
                    throw new IOException("reply longer than " + Wire.MAX_MESSAGE + " bytes");
                }
                buf.write(b);
            }
            in.clear();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                throw new IOException("Connection reset by peer");
            }
            if (n == 0 && selector != null) {
                long wait = 0;
                if (deadline != 0) {
                    wait = (deadline - System.nanoTime()) / 1_000_000;
                    if (wait <= 0) {
                        throw new SocketTimeoutException("timed out");
                    }
                }
                selector.select(wait);
                selector.selectedKeys().clear();
            }
        }
    }

    @Override
    public void close() {
        try {
            if (selector != null) {
                selector.close();
            }
        } catch (IOException e) {
            // nothing left to do with it
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to do with it
        }
    }
}
