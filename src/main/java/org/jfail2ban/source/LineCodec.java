package org.jfail2ban.source;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where lines end in raw bytes of one encoding, and how a line's bytes become text.
 *
 * <p>In every ASCII-compatible encoding (UTF-8, the ISO-8859 family, the Windows code pages) a
 * line ends at the byte 0x0A, which never occurs inside a multi-byte character. UTF-16 and UTF-32
 * write the newline as a 2- or 4-byte unit, which is searched for only at unit boundaries.
 * Malformed bytes become U+FFFD; NUL bytes stay NUL characters.
 */
final class LineCodec {

    private final Charset charset;
    private final byte[] newline;

    LineCodec(Charset charset) {
        this.charset = charset;
        byte[] nl = "\n".getBytes(charset);
        // encoders that write a byte order mark first put the newline's own unit last
        int unit = unitOf(charset);
        this.newline = nl.length > unit ? Arrays.copyOfRange(nl, nl.length - unit, nl.length) : nl;
    }

    private static int unitOf(Charset cs) {
        String name = cs.name().toUpperCase(java.util.Locale.ROOT);
        if (name.startsWith("UTF-32")) {
            return 4;
        }
        if (name.startsWith("UTF-16")) {
            return 2;
        }
        return 1;
    }

    Charset charset() {
        return charset;
    }

    /** Bytes of one line end: 1 for ASCII-compatible encodings. */
    int newlineLength() {
        return newline.length;
    }

    /**
     * The index of the first line end in {@code buf[from, to)}, or -1. {@code base} is the file
     * offset of {@code buf[0]}: wide encodings look for the newline only where a character starts.
     */
    int findNewline(byte[] buf, int from, int to, long base) {
        if (newline.length == 1) {
            byte nl = newline[0];
            for (int i = from; i < to; i++) {
                if (buf[i] == nl) {
                    return i;
                }
            }
            return -1;
        }
        int unit = newline.length;
        int first = from + (int) Math.floorMod(-(base + from), (long) unit);
        for (int i = first; i + unit <= to; i += unit) {
            if (Arrays.equals(buf, i, i + unit, newline, 0, unit)) {
                return i;
            }
        }
        return -1;
    }

    /** The text of {@code buf[off, off+len)} without trailing carriage returns (fail2ban strips them). */
    String decode(byte[] buf, int off, int len) {
        String text = new String(buf, off, len, charset);
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\r') {
            end--;
        }
        if (end > 0 && text.charAt(0) == '\uFEFF' && !charset.equals(StandardCharsets.UTF_8)) {
            // a byte order mark that a wide encoding left at the start of a file is not text
            return text.substring(1, end);
        }
        return end == text.length() ? text : text.substring(0, end);
    }
}
