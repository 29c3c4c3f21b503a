package org.jfail2ban.protocol;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Framing on the socket: one JSON value per line, UTF-8, each way. A request is a JSON array
 * (the command, as fail2ban's lists); the answer is a {@link Reply}. A connection may carry any
 * number of requests in turn. Easy to drive by hand:
 * {@code echo '["status"]' | socat - UNIX-CONNECT:/run/fail2ban/fail2ban.sock}.
 */
public final class Wire {

    /** Longest message accepted; a whole configuration stream stays far below it. */
    public static final int MAX_MESSAGE = 64 << 20;

    private Wire() {
    }

    public static void write(OutputStream out, Object value) throws IOException {
        StringBuilder sb = new StringBuilder(128);
        Json.write(sb, value);
        sb.append('\n');
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * Reads one line and parses it; null at a clean end of stream. Throws IOException for a line
     * that is too long and IllegalArgumentException for one that is not JSON.
     */
    public static Object read(InputStream in) throws IOException {
        String line = readLine(in);
        return line == null ? null : Json.parse(line);
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (buf.size() == 0) {
                    return null;
                }
                throw new EOFException("connection closed inside a message");
            }
            if (b == '\n') {
                return buf.toString(StandardCharsets.UTF_8);
            }
            if (buf.size() >= MAX_MESSAGE) {
                throw new IOException("message longer than " + MAX_MESSAGE + " bytes");
            }
            buf.write(b);
        }
    }
}
